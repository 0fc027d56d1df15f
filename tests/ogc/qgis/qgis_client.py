"""
A real QGIS (PyQGIS, headless) doing what docs/gis-clients.md tells a QGIS user to do:

1. an authentication configuration of the documented type (Basic, the documented user name, the
   token as the password) in a fresh, temporary QGIS profile and authentication database;
2. the OGC API - Features collections the connection lists, as OAPIF layers with the documented
   URL, page size and that configuration; every feature read, and the documented "Build query"
   filters applied as subset strings;
3. each vector tile layer as a generic XYZ connection (template, zoom range, the configuration),
   one tile fetched and decoded by QGIS, and the layer rendered.

Input: one JSON object on stdin (built by tests/ogc/qgis.test.ts from the documentation):
  {"token", "username", "ogcUrl", "pageSize", "collections": {id: [subset strings]},
   "tiles": [{"name", "url", "zmin", "zmax", "tile": [z, x, y]}]}
Output: one JSON object on stdout with what QGIS saw. QGIS's own messages go to stderr.
Run with QT_QPA_PLATFORM=offscreen and the system Python (/usr/bin/python3, package python3-qgis).
"""
import faulthandler
import json
import os
import shutil
import sys
import tempfile


def main():
    faulthandler.enable()  # a crash inside QGIS prints the Python stack
    spec = json.load(sys.stdin)
    profile = tempfile.mkdtemp(prefix='qgis-profile-')
    # Read by QgsApplication at start: the auth database lives in this empty profile, never the user's.
    os.environ['QGIS_AUTH_DB_DIR_PATH'] = profile

    from qgis.core import (  # noqa: E402 (after the environment above)
        Qgis,
        QgsApplication,
        QgsAuthMethodConfig,
        QgsBlockingNetworkRequest,
        QgsCoordinateReferenceSystem,
        QgsDataSourceUri,
        QgsFeatureRequest,
        QgsMapRendererSequentialJob,
        QgsMapSettings,
        QgsProject,
        QgsRectangle,
        QgsTileMatrix,
        QgsTileXYZ,
        QgsVectorLayer,
        QgsPalLayerSettings,
        QgsVectorTileBasicLabeling,
        QgsVectorTileBasicLabelingStyle,
        QgsVectorTileBasicRenderer,
        QgsVectorTileLayer,
        QgsWkbTypes,
    )
    from qgis.PyQt.QtCore import QSize, QUrl
    from qgis.PyQt.QtGui import QColor
    from qgis.PyQt.QtNetwork import QNetworkRequest

    QgsApplication.setPrefixPath('/usr', True)
    app = QgsApplication([], False, profile)
    app.initQgis()
    log = []
    QgsApplication.messageLog().messageReceived.connect(lambda message, tag, level: log.append(f'{tag}: {message}'))
    out = {'qgisVersion': Qgis.QGIS_VERSION, 'log': log}

    # Step 1: Settings > Options > Authentication > Add, type Basic. A master password is asked the
    # first time; here it is set on the new, empty database.
    auth = QgsApplication.authManager()
    if not auth.setMasterPassword('qgis-client-test', True):
        raise RuntimeError('could not set the master password of the temporary auth database')
    config = QgsAuthMethodConfig('Basic')
    config.setName('Kampung Terpadu')
    config.setConfig('username', spec['username'])
    config.setConfig('password', spec['token'])
    stored = auth.storeAuthenticationConfig(config)
    if isinstance(stored, tuple):  # later QGIS versions return (ok, config)
        stored, config = stored[0], stored[1]
    if not stored or not config.id():
        raise RuntimeError('could not store the Basic authentication configuration')
    authcfg = config.id()
    out['authMethod'] = config.method()

    def get_json(url):
        """GET with the auth configuration, as the WFS/OAPIF connection dialog does (QgsBlockingNetworkRequest)."""
        request = QgsBlockingNetworkRequest()
        request.setAuthCfg(authcfg)
        req = QNetworkRequest(QUrl(url))
        req.setRawHeader(b'Accept', b'application/json')
        error = request.get(req)
        reply = request.reply()
        status = reply.attribute(QNetworkRequest.HttpStatusCodeAttribute)
        body = bytes(reply.content()).decode('utf-8', 'replace')
        if error != QgsBlockingNetworkRequest.NoError:
            return status, None, request.errorMessage()
        return status, json.loads(body), None

    # Step 2, "Connect": the landing page, then its rel=data link, lists the collections.
    status, landing, error = get_json(spec['ogcUrl'])
    out['landing'] = {'status': status, 'error': error}
    listed = []
    if landing:
        data_link = next(link['href'] for link in landing['links'] if link.get('rel') == 'data')
        status, collections, error = get_json(data_link)
        out['collectionsStatus'] = status
        listed = [c['id'] for c in (collections or {}).get('collections', [])]
    out['listed'] = listed

    layers = {}
    for collection, subsets in spec['collections'].items():
        uri = QgsDataSourceUri()
        uri.setParam('url', spec['ogcUrl'])
        uri.setParam('typename', collection)
        uri.setParam('pageSize', str(spec['pageSize']))
        uri.setAuthConfigId(authcfg)
        layer = QgsVectorLayer(uri.uri(False), collection, 'OAPIF')
        result = {'valid': layer.isValid(), 'uri': uri.uri(False)}
        if layer.isValid():
            QgsProject.instance().addMapLayer(layer, False)
            result['geometryType'] = QgsWkbTypes_name(layer.wkbType())
            result['fields'] = [f.name() for f in layer.fields()]
            result['featureCount'] = layer.featureCount()
            features = list(layer.getFeatures())
            result['read'] = len(features)
            if 'id' in result['fields']:
                result['ids'] = sorted(f['id'] for f in features)
            result['sample'] = attributes_of(features[0]) if features else None
            result['filters'] = {}
            for subset in subsets:
                accepted = layer.setSubsetString(subset)
                ids = sorted(f['id'] if 'id' in result['fields'] else f['code'] for f in layer.getFeatures())
                result['filters'][subset] = {'accepted': accepted, 'ids': ids}
                layer.setSubsetString('')
            bbox = spec.get('bbox', {}).get(collection)
            if bbox:
                # "Only request features overlapping the view extent": the layer option, and a view.
                uri.setParam('restrictToRequestBBOX', '1')
                restricted = QgsVectorLayer(uri.uri(False), collection + ' (view extent)', 'OAPIF')
                request = QgsFeatureRequest().setFilterRect(QgsRectangle(*bbox))
                result['bbox'] = {'valid': restricted.isValid(), 'ids': sorted(f['id'] for f in restricted.getFeatures(request))}
        else:
            # layer.error() crashes 3.22 for an OAPIF layer that failed to load; the log says why.
            result['error'] = ' | '.join(log[-3:])
        layers[collection] = result
    out['layers'] = layers

    # Step 3: a generic XYZ vector tile connection.
    tiles = {}
    web_mercator = QgsCoordinateReferenceSystem('EPSG:3857')
    for tile_spec in spec['tiles']:
        uri = QgsDataSourceUri()
        uri.setParam('type', 'xyz')
        uri.setParam('url', tile_spec['url'])
        uri.setParam('zmin', str(tile_spec['zmin']))
        uri.setParam('zmax', str(tile_spec['zmax']))
        uri.setAuthConfigId(authcfg)
        source = bytes(uri.encodedUri()).decode()
        layer = QgsVectorTileLayer(source, tile_spec['name'])
        result = {'valid': layer.isValid(), 'source': source}
        if layer.isValid():
            QgsProject.instance().addMapLayer(layer, False)
            result['zoom'] = [layer.sourceMinZoom(), layer.sourceMaxZoom()]
            z, x, y = tile_spec['tile']
            tile_id = QgsTileXYZ(x, y, z)
            # Python has no tile loader or decoder in 3.22: draw each feature and label it with an
            # attribute (always, even where labels collide), then read the placed labels back. ($id is
            # no use: 3.22 numbers tile features itself instead of taking the MVT feature id.)
            renderer = QgsVectorTileBasicRenderer()
            renderer.setStyles(QgsVectorTileBasicRenderer.simpleStyleWithRandomColors())
            layer.setRenderer(renderer)
            label_styles = []
            # One style per MVT layer: with an empty layer name ("every layer") 3.22 placed no label.
            for mvt_layer in tile_spec['mvtLayers']:
                for geometry_type in (QgsWkbTypes.PointGeometry, QgsWkbTypes.PolygonGeometry):
                    settings = QgsPalLayerSettings()
                    settings.fieldName = tile_spec['label']
                    settings.isExpression = True
                    settings.displayAll = True
                    settings.placement = QgsPalLayerSettings.OverPoint if geometry_type == QgsWkbTypes.PointGeometry else QgsPalLayerSettings.Horizontal
                    style = QgsVectorTileBasicLabelingStyle()
                    style.setLayerName(mvt_layer)
                    style.setGeometryType(geometry_type)
                    style.setLabelSettings(settings)
                    label_styles.append(style)
            labeling = QgsVectorTileBasicLabeling()
            labeling.setStyles(label_styles)
            layer.setLabeling(labeling)

            # Render the tile's extent at its zoom, as the map canvas would: non-empty pixels show
            # that QGIS fetched (with the auth configuration), decoded and drew the tile. The
            # extent is the tile's less 1% on each side, so that QGIS needs no neighbouring tile.
            extent = QgsTileMatrix.fromWebMercator(z).tileExtent(tile_id)
            extent.grow(-extent.width() / 100)
            settings = QgsMapSettings()
            settings.setLayers([layer])
            # 0.28 mm pixels, as the tile matrix's scales assume. At 256 pixels a tile QGIS 3.22 asked
            # for zoom z - 1, at 512 for z (the test checks which tile was requested).
            settings.setOutputDpi(25.4 / 0.28)
            settings.setDestinationCrs(web_mercator)
            settings.setOutputSize(QSize(512, 512))
            settings.setExtent(extent)
            settings.setBackgroundColor(QColor(0, 0, 0, 0))
            job = QgsMapRendererSequentialJob(settings)
            job.start()
            job.waitForFinished()
            image = job.renderedImage()
            painted = 0
            for py in range(0, image.height(), 4):
                for px in range(0, image.width(), 4):
                    if QColor(image.pixel(px, py)).alpha() > 0 and image.pixel(px, py) != 0:
                        painted += 1
            result['renderedPixels'] = painted
            labels = job.takeLabelingResults()
            result['labels'] = sorted({p.labelText for p in labels.allLabels()}) if labels else []
            result['renderErrors'] = [f'{e.layerID}: {e.message}' for e in job.errors()]
        else:
            result['error'] = ' | '.join(log[-3:])
        tiles[tile_spec['name']] = result
    out['tiles'] = tiles

    QgsProject.instance().removeAllMapLayers()
    json.dump(out, sys.stdout)
    sys.stdout.flush()
    shutil.rmtree(profile, ignore_errors=True)
    # PyQGIS 3.22 crashes (SIGSEGV) while Python tears down its QGIS objects after exitQgis(); the
    # answer is written, so leave without the teardown.
    os._exit(0)


def QgsWkbTypes_name(wkb_type):
    from qgis.core import QgsWkbTypes
    return QgsWkbTypes.displayString(wkb_type)


def attributes_of(feature):
    return {name: value_of(feature[name]) for name in feature.fields().names()}


def value_of(value):
    from qgis.PyQt.QtCore import QVariant
    if isinstance(value, QVariant):
        return None if value.isNull() else value.value()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [value_of(v) for v in value]
    return str(value)


if __name__ == '__main__':
    main()
