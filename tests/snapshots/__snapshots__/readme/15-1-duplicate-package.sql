-- README.md graphql example 15, operation 1, as {"sub":"readme-planner@example","role":"PLANNER","org":"Dinsos Kota Semarang","regions":["33.74"]}
-- 29 statements (texts only, sorted; see readme-operations.test.ts)
SELECT id, kind, name, ST_X(location) AS lon, ST_Y(location) AS lat, accessible, serves FROM existing_facilities WHERE village_code = $1 ORDER BY id;

SELECT iv.serves, iv.category, ST_X(i.location) AS lon, ST_Y(i.location) AS lat
    FROM package_items i JOIN packages p ON p.id = i.package_id JOIN interventions iv ON iv.code = i.intervention_code
    WHERE p.village_code = $1 AND p.status IN ('APPROVED', 'IN_PROGRESS', 'COMPLETED') AND i.location IS NOT NULL
      AND ($2::int IS NULL OR p.id <> $3::int);

WITH g AS (SELECT boundary, ST_Envelope(boundary) AS env, greatest(50, sqrt(ST_Area(boundary::geography) / 400)) / 111320.0 AS step
               FROM village_geography WHERE village_code = $1)
    SELECT round((gx * step)::numeric, 7)::float8 AS lon, round((gy * step)::numeric, 7)::float8 AS lat
    FROM g, generate_series(floor(ST_XMin(env) / step)::int, ceil(ST_XMax(env) / step)::int) gx,
         generate_series(floor(ST_YMin(env) / step)::int, ceil(ST_YMax(env) / step)::int) gy
    WHERE ST_Covers(boundary, ST_SetSRID(ST_MakePoint(gx * step, gy * step), 4326))
    ORDER BY gy, gx;

DELETE FROM package_item_funding WHERE item_id = $1;

INSERT INTO audit_log (actor, role, organisation, action, entity, entity_id, package_id, village_code, before, after, household_ids, request_id)
    VALUES ($1, $2, $3, $4, $5,
      $6, $7, $8,
      $9::jsonb, $10::jsonb, $11::int[], $12);

INSERT INTO package_budgets (package_id, funder_code, budget_idr, over_budget_reason) VALUES ($1, $2, $3, $4)
    ON CONFLICT (package_id, funder_code) DO UPDATE SET budget_idr = excluded.budget_idr,
      over_budget_reason = coalesce(excluded.over_budget_reason, package_budgets.over_budget_reason);

INSERT INTO package_budgets (package_id, funder_code, budget_idr, over_budget_reason) VALUES ($1, $2, $3, $4)
    ON CONFLICT (package_id, funder_code) DO UPDATE SET budget_idr = excluded.budget_idr,
      over_budget_reason = coalesce(excluded.over_budget_reason, package_budgets.over_budget_reason);

INSERT INTO package_item_funding (item_id, funder_code, fund_code, amount_idr)
    SELECT $1, s.funder_code, s.fund_code, s.amount_idr
    FROM jsonb_to_recordset($2::jsonb)
      AS s(funder_code text, fund_code text, amount_idr bigint);

INSERT INTO package_items (package_id, intervention_code, funder_code, household_id, member_id,
      location, quantity, unit_cost_idr, cost_idr, eligibility_override_reason, origin, amount_note)
    VALUES ($1, $2, $3, $4::int, $5::int,
      ST_SetSRID(ST_MakePoint($6::float8, $7::float8), 4326), $8, $9, $10,
      $11, $12, $13), ($14, $15, $16, $17::int, $18::int,
      ST_SetSRID(ST_MakePoint($19::float8, $20::float8), 4326), $21, $22, $23,
      $24, $25, $26), ($27, $28, $29, $30::int, $31::int,
      ST_SetSRID(ST_MakePoint($32::float8, $33::float8), 4326), $34, $35, $36,
      $37, $38, $39), ($40, $41, $42, $43::int, $44::int,
      ST_SetSRID(ST_MakePoint($45::float8, $46::float8), 4326), $47, $48, $49,
      $50, $51, $52), ($53, $54, $55, $56::int, $57::int,
      ST_SetSRID(ST_MakePoint($58::float8, $59::float8), 4326), $60, $61, $62,
      $63, $64, $65), ($66, $67, $68, $69::int, $70::int,
      ST_SetSRID(ST_MakePoint($71::float8, $72::float8), 4326), $73, $74, $75,
      $76, $77, $78), ($79, $80, $81, $82::int, $83::int,
      ST_SetSRID(ST_MakePoint($84::float8, $85::float8), 4326), $86, $87, $88,
      $89, $90, $91), ($92, $93, $94, $95::int, $96::int,
      NULL::geometry, $97, $98, $99,
      $100, $101, $102), ($103, $104, $105, $106::int, $107::int,
      NULL::geometry, $108, $109, $110,
      $111, $112, $113), ($114, $115, $116, $117::int, $118::int,
      NULL::geometry, $119, $120, $121,
      $122, $123, $124), ($125, $126, $127, $128::int, $129::int,
      NULL::geometry, $130, $131, $132,
      $133, $134, $135), ($136, $137, $138, $139::int, $140::int,
      NULL::geometry, $141, $142, $143,
      $144, $145, $146), ($147, $148, $149, $150::int, $151::int,
      NULL::geometry, $152, $153, $154,
      $155, $156, $157), ($158, $159, $160, $161::int, $162::int,
      NULL::geometry, $163, $164, $165,
      $166, $167, $168), ($169, $170, $171, $172::int, $173::int,
      NULL::geometry, $174, $175, $176,
      $177, $178, $179), ($180, $181, $182, $183::int, $184::int,
      NULL::geometry, $185, $186, $187,
      $188, $189, $190), ($191, $192, $193, $194::int, $195::int,
      NULL::geometry, $196, $197, $198,
      $199, $200, $201), ($202, $203, $204, $205::int, $206::int,
      NULL::geometry, $207, $208, $209,
      $210, $211, $212), ($213, $214, $215, $216::int, $217::int,
      NULL::geometry, $218, $219, $220,
      $221, $222, $223), ($224, $225, $226, $227::int, $228::int,
      NULL::geometry, $229, $230, $231,
      $232, $233, $234), ($235, $236, $237, $238::int, $239::int,
      NULL::geometry, $240, $241, $242,
      $243, $244, $245), ($246, $247, $248, $249::int, $250::int,
      NULL::geometry, $251, $252, $253,
      $254, $255, $256), ($257, $258, $259, $260::int, $261::int,
      NULL::geometry, $262, $263, $264,
      $265, $266, $267), ($268, $269, $270, $271::int, $272::int,
      NULL::geometry, $273, $274, $275,
      $276, $277, $278), ($279, $280, $281, $282::int, $283::int,
      NULL::geometry, $284, $285, $286,
      $287, $288, $289), ($290, $291, $292, $293::int, $294::int,
      NULL::geometry, $295, $296, $297,
      $298, $299, $300), ($301, $302, $303, $304::int, $305::int,
      NULL::geometry, $306, $307, $308,
      $309, $310, $311), ($312, $313, $314, $315::int, $316::int,
      NULL::geometry, $317, $318, $319,
      $320, $321, $322), ($323, $324, $325, $326::int, $327::int,
      NULL::geometry, $328, $329, $330,
      $331, $332, $333), ($334, $335, $336, $337::int, $338::int,
      NULL::geometry, $339, $340, $341,
      $342, $343, $344), ($345, $346, $347, $348::int, $349::int,
      NULL::geometry, $350, $351, $352,
      $353, $354, $355), ($356, $357, $358, $359::int, $360::int,
      NULL::geometry, $361, $362, $363,
      $364, $365, $366), ($367, $368, $369, $370::int, $371::int,
      NULL::geometry, $372, $373, $374,
      $375, $376, $377), ($378, $379, $380, $381::int, $382::int,
      NULL::geometry, $383, $384, $385,
      $386, $387, $388), ($389, $390, $391, $392::int, $393::int,
      NULL::geometry, $394, $395, $396,
      $397, $398, $399), ($400, $401, $402, $403::int, $404::int,
      NULL::geometry, $405, $406, $407,
      $408, $409, $410), ($411, $412, $413, $414::int, $415::int,
      NULL::geometry, $416, $417, $418,
      $419, $420, $421), ($422, $423, $424, $425::int, $426::int,
      NULL::geometry, $427, $428, $429,
      $430, $431, $432), ($433, $434, $435, $436::int, $437::int,
      NULL::geometry, $438, $439, $440,
      $441, $442, $443), ($444, $445, $446, $447::int, $448::int,
      NULL::geometry, $449, $450, $451,
      $452, $453, $454), ($455, $456, $457, $458::int, $459::int,
      NULL::geometry, $460, $461, $462,
      $463, $464, $465), ($466, $467, $468, $469::int, $470::int,
      NULL::geometry, $471, $472, $473,
      $474, $475, $476), ($477, $478, $479, $480::int, $481::int,
      NULL::geometry, $482, $483, $484,
      $485, $486, $487), ($488, $489, $490, $491::int, $492::int,
      NULL::geometry, $493, $494, $495,
      $496, $497, $498), ($499, $500, $501, $502::int, $503::int,
      NULL::geometry, $504, $505, $506,
      $507, $508, $509), ($510, $511, $512, $513::int, $514::int,
      NULL::geometry, $515, $516, $517,
      $518, $519, $520), ($521, $522, $523, $524::int, $525::int,
      NULL::geometry, $526, $527, $528,
      $529, $530, $531), ($532, $533, $534, $535::int, $536::int,
      NULL::geometry, $537, $538, $539,
      $540, $541, $542), ($543, $544, $545, $546::int, $547::int,
      NULL::geometry, $548, $549, $550,
      $551, $552, $553), ($554, $555, $556, $557::int, $558::int,
      NULL::geometry, $559, $560, $561,
      $562, $563, $564), ($565, $566, $567, $568::int, $569::int,
      NULL::geometry, $570, $571, $572,
      $573, $574, $575), ($576, $577, $578, $579::int, $580::int,
      NULL::geometry, $581, $582, $583,
      $584, $585, $586), ($587, $588, $589, $590::int, $591::int,
      NULL::geometry, $592, $593, $594,
      $595, $596, $597), ($598, $599, $600, $601::int, $602::int,
      NULL::geometry, $603, $604, $605,
      $606, $607, $608), ($609, $610, $611, $612::int, $613::int,
      NULL::geometry, $614, $615, $616,
      $617, $618, $619), ($620, $621, $622, $623::int, $624::int,
      NULL::geometry, $625, $626, $627,
      $628, $629, $630), ($631, $632, $633, $634::int, $635::int,
      NULL::geometry, $636, $637, $638,
      $639, $640, $641), ($642, $643, $644, $645::int, $646::int,
      NULL::geometry, $647, $648, $649,
      $650, $651, $652), ($653, $654, $655, $656::int, $657::int,
      NULL::geometry, $658, $659, $660,
      $661, $662, $663), ($664, $665, $666, $667::int, $668::int,
      NULL::geometry, $669, $670, $671,
      $672, $673, $674), ($675, $676, $677, $678::int, $679::int,
      NULL::geometry, $680, $681, $682,
      $683, $684, $685), ($686, $687, $688, $689::int, $690::int,
      NULL::geometry, $691, $692, $693,
      $694, $695, $696), ($697, $698, $699, $700::int, $701::int,
      NULL::geometry, $702, $703, $704,
      $705, $706, $707), ($708, $709, $710, $711::int, $712::int,
      NULL::geometry, $713, $714, $715,
      $716, $717, $718), ($719, $720, $721, $722::int, $723::int,
      NULL::geometry, $724, $725, $726,
      $727, $728, $729), ($730, $731, $732, $733::int, $734::int,
      NULL::geometry, $735, $736, $737,
      $738, $739, $740), ($741, $742, $743, $744::int, $745::int,
      NULL::geometry, $746, $747, $748,
      $749, $750, $751), ($752, $753, $754, $755::int, $756::int,
      NULL::geometry, $757, $758, $759,
      $760, $761, $762), ($763, $764, $765, $766::int, $767::int,
      NULL::geometry, $768, $769, $770,
      $771, $772, $773), ($774, $775, $776, $777::int, $778::int,
      NULL::geometry, $779, $780, $781,
      $782, $783, $784), ($785, $786, $787, $788::int, $789::int,
      NULL::geometry, $790, $791, $792,
      $793, $794, $795), ($796, $797, $798, $799::int, $800::int,
      NULL::geometry, $801, $802, $803,
      $804, $805, $806), ($807, $808, $809, $810::int, $811::int,
      NULL::geometry, $812, $813, $814,
      $815, $816, $817), ($818, $819, $820, $821::int, $822::int,
      NULL::geometry, $823, $824, $825,
      $826, $827, $828), ($829, $830, $831, $832::int, $833::int,
      NULL::geometry, $834, $835, $836,
      $837, $838, $839), ($840, $841, $842, $843::int, $844::int,
      NULL::geometry, $845, $846, $847,
      $848, $849, $850), ($851, $852, $853, $854::int, $855::int,
      NULL::geometry, $856, $857, $858,
      $859, $860, $861), ($862, $863, $864, $865::int, $866::int,
      NULL::geometry, $867, $868, $869,
      $870, $871, $872), ($873, $874, $875, $876::int, $877::int,
      NULL::geometry, $878, $879, $880,
      $881, $882, $883), ($884, $885, $886, $887::int, $888::int,
      NULL::geometry, $889, $890, $891,
      $892, $893, $894), ($895, $896, $897, $898::int, $899::int,
      NULL::geometry, $900, $901, $902,
      $903, $904, $905), ($906, $907, $908, $909::int, $910::int,
      NULL::geometry, $911, $912, $913,
      $914, $915, $916), ($917, $918, $919, $920::int, $921::int,
      NULL::geometry, $922, $923, $924,
      $925, $926, $927), ($928, $929, $930, $931::int, $932::int,
      NULL::geometry, $933, $934, $935,
      $936, $937, $938), ($939, $940, $941, $942::int, $943::int,
      NULL::geometry, $944, $945, $946,
      $947, $948, $949), ($950, $951, $952, $953::int, $954::int,
      NULL::geometry, $955, $956, $957,
      $958, $959, $960), ($961, $962, $963, $964::int, $965::int,
      NULL::geometry, $966, $967, $968,
      $969, $970, $971), ($972, $973, $974, $975::int, $976::int,
      NULL::geometry, $977, $978, $979,
      $980, $981, $982), ($983, $984, $985, $986::int, $987::int,
      NULL::geometry, $988, $989, $990,
      $991, $992, $993), ($994, $995, $996, $997::int, $998::int,
      NULL::geometry, $999, $1000, $1001,
      $1002, $1003, $1004), ($1005, $1006, $1007, $1008::int, $1009::int,
      NULL::geometry, $1010, $1011, $1012,
      $1013, $1014, $1015), ($1016, $1017, $1018, $1019::int, $1020::int,
      NULL::geometry, $1021, $1022, $1023,
      $1024, $1025, $1026), ($1027, $1028, $1029, $1030::int, $1031::int,
      NULL::geometry, $1032, $1033, $1034,
      $1035, $1036, $1037), ($1038, $1039, $1040, $1041::int, $1042::int,
      NULL::geometry, $1043, $1044, $1045,
      $1046, $1047, $1048), ($1049, $1050, $1051, $1052::int, $1053::int,
      NULL::geometry, $1054, $1055, $1056,
      $1057, $1058, $1059), ($1060, $1061, $1062, $1063::int, $1064::int,
      NULL::geometry, $1065, $1066, $1067,
      $1068, $1069, $1070), ($1071, $1072, $1073, $1074::int, $1075::int,
      NULL::geometry, $1076, $1077, $1078,
      $1079, $1080, $1081), ($1082, $1083, $1084, $1085::int, $1086::int,
      NULL::geometry, $1087, $1088, $1089,
      $1090, $1091, $1092), ($1093, $1094, $1095, $1096::int, $1097::int,
      NULL::geometry, $1098, $1099, $1100,
      $1101, $1102, $1103), ($1104, $1105, $1106, $1107::int, $1108::int,
      NULL::geometry, $1109, $1110, $1111,
      $1112, $1113, $1114), ($1115, $1116, $1117, $1118::int, $1119::int,
      NULL::geometry, $1120, $1121, $1122,
      $1123, $1124, $1125), ($1126, $1127, $1128, $1129::int, $1130::int,
      NULL::geometry, $1131, $1132, $1133,
      $1134, $1135, $1136), ($1137, $1138, $1139, $1140::int, $1141::int,
      NULL::geometry, $1142, $1143, $1144,
      $1145, $1146, $1147), ($1148, $1149, $1150, $1151::int, $1152::int,
      NULL::geometry, $1153, $1154, $1155,
      $1156, $1157, $1158), ($1159, $1160, $1161, $1162::int, $1163::int,
      NULL::geometry, $1164, $1165, $1166,
      $1167, $1168, $1169), ($1170, $1171, $1172, $1173::int, $1174::int,
      NULL::geometry, $1175, $1176, $1177,
      $1178, $1179, $1180), ($1181, $1182, $1183, $1184::int, $1185::int,
      NULL::geometry, $1186, $1187, $1188,
      $1189, $1190, $1191), ($1192, $1193, $1194, $1195::int, $1196::int,
      NULL::geometry, $1197, $1198, $1199,
      $1200, $1201, $1202), ($1203, $1204, $1205, $1206::int, $1207::int,
      NULL::geometry, $1208, $1209, $1210,
      $1211, $1212, $1213), ($1214, $1215, $1216, $1217::int, $1218::int,
      NULL::geometry, $1219, $1220, $1221,
      $1222, $1223, $1224), ($1225, $1226, $1227, $1228::int, $1229::int,
      NULL::geometry, $1230, $1231, $1232,
      $1233, $1234, $1235), ($1236, $1237, $1238, $1239::int, $1240::int,
      NULL::geometry, $1241, $1242, $1243,
      $1244, $1245, $1246), ($1247, $1248, $1249, $1250::int, $1251::int,
      NULL::geometry, $1252, $1253, $1254,
      $1255, $1256, $1257), ($1258, $1259, $1260, $1261::int, $1262::int,
      NULL::geometry, $1263, $1264, $1265,
      $1266, $1267, $1268), ($1269, $1270, $1271, $1272::int, $1273::int,
      NULL::geometry, $1274, $1275, $1276,
      $1277, $1278, $1279), ($1280, $1281, $1282, $1283::int, $1284::int,
      NULL::geometry, $1285, $1286, $1287,
      $1288, $1289, $1290), ($1291, $1292, $1293, $1294::int, $1295::int,
      NULL::geometry, $1296, $1297, $1298,
      $1299, $1300, $1301), ($1302, $1303, $1304, $1305::int, $1306::int,
      NULL::geometry, $1307, $1308, $1309,
      $1310, $1311, $1312), ($1313, $1314, $1315, $1316::int, $1317::int,
      NULL::geometry, $1318, $1319, $1320,
      $1321, $1322, $1323), ($1324, $1325, $1326, $1327::int, $1328::int,
      NULL::geometry, $1329, $1330, $1331,
      $1332, $1333, $1334), ($1335, $1336, $1337, $1338::int, $1339::int,
      NULL::geometry, $1340, $1341, $1342,
      $1343, $1344, $1345), ($1346, $1347, $1348, $1349::int, $1350::int,
      NULL::geometry, $1351, $1352, $1353,
      $1354, $1355, $1356), ($1357, $1358, $1359, $1360::int, $1361::int,
      NULL::geometry, $1362, $1363, $1364,
      $1365, $1366, $1367), ($1368, $1369, $1370, $1371::int, $1372::int,
      NULL::geometry, $1373, $1374, $1375,
      $1376, $1377, $1378), ($1379, $1380, $1381, $1382::int, $1383::int,
      NULL::geometry, $1384, $1385, $1386,
      $1387, $1388, $1389), ($1390, $1391, $1392, $1393::int, $1394::int,
      NULL::geometry, $1395, $1396, $1397,
      $1398, $1399, $1400), ($1401, $1402, $1403, $1404::int, $1405::int,
      NULL::geometry, $1406, $1407, $1408,
      $1409, $1410, $1411), ($1412, $1413, $1414, $1415::int, $1416::int,
      NULL::geometry, $1417, $1418, $1419,
      $1420, $1421, $1422), ($1423, $1424, $1425, $1426::int, $1427::int,
      NULL::geometry, $1428, $1429, $1430,
      $1431, $1432, $1433), ($1434, $1435, $1436, $1437::int, $1438::int,
      NULL::geometry, $1439, $1440, $1441,
      $1442, $1443, $1444), ($1445, $1446, $1447, $1448::int, $1449::int,
      NULL::geometry, $1450, $1451, $1452,
      $1453, $1454, $1455), ($1456, $1457, $1458, $1459::int, $1460::int,
      NULL::geometry, $1461, $1462, $1463,
      $1464, $1465, $1466), ($1467, $1468, $1469, $1470::int, $1471::int,
      NULL::geometry, $1472, $1473, $1474,
      $1475, $1476, $1477), ($1478, $1479, $1480, $1481::int, $1482::int,
      NULL::geometry, $1483, $1484, $1485,
      $1486, $1487, $1488), ($1489, $1490, $1491, $1492::int, $1493::int,
      NULL::geometry, $1494, $1495, $1496,
      $1497, $1498, $1499), ($1500, $1501, $1502, $1503::int, $1504::int,
      NULL::geometry, $1505, $1506, $1507,
      $1508, $1509, $1510), ($1511, $1512, $1513, $1514::int, $1515::int,
      NULL::geometry, $1516, $1517, $1518,
      $1519, $1520, $1521), ($1522, $1523, $1524, $1525::int, $1526::int,
      NULL::geometry, $1527, $1528, $1529,
      $1530, $1531, $1532), ($1533, $1534, $1535, $1536::int, $1537::int,
      NULL::geometry, $1538, $1539, $1540,
      $1541, $1542, $1543), ($1544, $1545, $1546, $1547::int, $1548::int,
      NULL::geometry, $1549, $1550, $1551,
      $1552, $1553, $1554), ($1555, $1556, $1557, $1558::int, $1559::int,
      NULL::geometry, $1560, $1561, $1562,
      $1563, $1564, $1565), ($1566, $1567, $1568, $1569::int, $1570::int,
      NULL::geometry, $1571, $1572, $1573,
      $1574, $1575, $1576), ($1577, $1578, $1579, $1580::int, $1581::int,
      NULL::geometry, $1582, $1583, $1584,
      $1585, $1586, $1587), ($1588, $1589, $1590, $1591::int, $1592::int,
      NULL::geometry, $1593, $1594, $1595,
      $1596, $1597, $1598), ($1599, $1600, $1601, $1602::int, $1603::int,
      NULL::geometry, $1604, $1605, $1606,
      $1607, $1608, $1609), ($1610, $1611, $1612, $1613::int, $1614::int,
      NULL::geometry, $1615, $1616, $1617,
      $1618, $1619, $1620), ($1621, $1622, $1623, $1624::int, $1625::int,
      NULL::geometry, $1626, $1627, $1628,
      $1629, $1630, $1631), ($1632, $1633, $1634, $1635::int, $1636::int,
      NULL::geometry, $1637, $1638, $1639,
      $1640, $1641, $1642), ($1643, $1644, $1645, $1646::int, $1647::int,
      NULL::geometry, $1648, $1649, $1650,
      $1651, $1652, $1653), ($1654, $1655, $1656, $1657::int, $1658::int,
      NULL::geometry, $1659, $1660, $1661,
      $1662, $1663, $1664), ($1665, $1666, $1667, $1668::int, $1669::int,
      NULL::geometry, $1670, $1671, $1672,
      $1673, $1674, $1675), ($1676, $1677, $1678, $1679::int, $1680::int,
      NULL::geometry, $1681, $1682, $1683,
      $1684, $1685, $1686), ($1687, $1688, $1689, $1690::int, $1691::int,
      NULL::geometry, $1692, $1693, $1694,
      $1695, $1696, $1697), ($1698, $1699, $1700, $1701::int, $1702::int,
      NULL::geometry, $1703, $1704, $1705,
      $1706, $1707, $1708), ($1709, $1710, $1711, $1712::int, $1713::int,
      NULL::geometry, $1714, $1715, $1716,
      $1717, $1718, $1719), ($1720, $1721, $1722, $1723::int, $1724::int,
      NULL::geometry, $1725, $1726, $1727,
      $1728, $1729, $1730), ($1731, $1732, $1733, $1734::int, $1735::int,
      NULL::geometry, $1736, $1737, $1738,
      $1739, $1740, $1741), ($1742, $1743, $1744, $1745::int, $1746::int,
      NULL::geometry, $1747, $1748, $1749,
      $1750, $1751, $1752), ($1753, $1754, $1755, $1756::int, $1757::int,
      NULL::geometry, $1758, $1759, $1760,
      $1761, $1762, $1763), ($1764, $1765, $1766, $1767::int, $1768::int,
      NULL::geometry, $1769, $1770, $1771,
      $1772, $1773, $1774), ($1775, $1776, $1777, $1778::int, $1779::int,
      NULL::geometry, $1780, $1781, $1782,
      $1783, $1784, $1785), ($1786, $1787, $1788, $1789::int, $1790::int,
      NULL::geometry, $1791, $1792, $1793,
      $1794, $1795, $1796), ($1797, $1798, $1799, $1800::int, $1801::int,
      NULL::geometry, $1802, $1803, $1804,
      $1805, $1806, $1807), ($1808, $1809, $1810, $1811::int, $1812::int,
      NULL::geometry, $1813, $1814, $1815,
      $1816, $1817, $1818), ($1819, $1820, $1821, $1822::int, $1823::int,
      NULL::geometry, $1824, $1825, $1826,
      $1827, $1828, $1829), ($1830, $1831, $1832, $1833::int, $1834::int,
      NULL::geometry, $1835, $1836, $1837,
      $1838, $1839, $1840), ($1841, $1842, $1843, $1844::int, $1845::int,
      NULL::geometry, $1846, $1847, $1848,
      $1849, $1850, $1851), ($1852, $1853, $1854, $1855::int, $1856::int,
      NULL::geometry, $1857, $1858, $1859,
      $1860, $1861, $1862), ($1863, $1864, $1865, $1866::int, $1867::int,
      NULL::geometry, $1868, $1869, $1870,
      $1871, $1872, $1873), ($1874, $1875, $1876, $1877::int, $1878::int,
      NULL::geometry, $1879, $1880, $1881,
      $1882, $1883, $1884), ($1885, $1886, $1887, $1888::int, $1889::int,
      NULL::geometry, $1890, $1891, $1892,
      $1893, $1894, $1895), ($1896, $1897, $1898, $1899::int, $1900::int,
      NULL::geometry, $1901, $1902, $1903,
      $1904, $1905, $1906), ($1907, $1908, $1909, $1910::int, $1911::int,
      NULL::geometry, $1912, $1913, $1914,
      $1915, $1916, $1917), ($1918, $1919, $1920, $1921::int, $1922::int,
      NULL::geometry, $1923, $1924, $1925,
      $1926, $1927, $1928), ($1929, $1930, $1931, $1932::int, $1933::int,
      NULL::geometry, $1934, $1935, $1936,
      $1937, $1938, $1939), ($1940, $1941, $1942, $1943::int, $1944::int,
      NULL::geometry, $1945, $1946, $1947,
      $1948, $1949, $1950), ($1951, $1952, $1953, $1954::int, $1955::int,
      NULL::geometry, $1956, $1957, $1958,
      $1959, $1960, $1961), ($1962, $1963, $1964, $1965::int, $1966::int,
      NULL::geometry, $1967, $1968, $1969,
      $1970, $1971, $1972), ($1973, $1974, $1975, $1976::int, $1977::int,
      NULL::geometry, $1978, $1979, $1980,
      $1981, $1982, $1983), ($1984, $1985, $1986, $1987::int, $1988::int,
      NULL::geometry, $1989, $1990, $1991,
      $1992, $1993, $1994), ($1995, $1996, $1997, $1998::int, $1999::int,
      NULL::geometry, $2000, $2001, $2002,
      $2003, $2004, $2005), ($2006, $2007, $2008, $2009::int, $2010::int,
      NULL::geometry, $2011, $2012, $2013,
      $2014, $2015, $2016) RETURNING id;

INSERT INTO packages (village_code, name, created_by, template_of, proposal_decisions)
    VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id, village_code, name, status, version, template_of, proposal_decisions, created_by,
  to_json(created_at)#>>'{}' AS created_at, to_json(updated_at)#>>'{}' AS updated_at;

SELECT b.package_id, b.funder_code, b.budget_idr, b.over_budget_reason,
      CASE WHEN left(pkg.village_code, 5) = $1 THEN coalesce((SELECT sum(f.amount_idr) FROM package_item_funding f JOIN package_items i ON i.id = f.item_id
  WHERE i.package_id = b.package_id AND f.funder_code = b.funder_code), 0)::bigint END AS allocated_idr
    FROM package_budgets b JOIN packages pkg ON pkg.id = b.package_id
    WHERE b.package_id = ANY($2::int[]) ORDER BY b.package_id, b.funder_code;

SELECT b.package_id, b.funder_code, b.budget_idr, b.over_budget_reason,
      CASE WHEN true THEN coalesce((SELECT sum(f.amount_idr) FROM package_item_funding f JOIN package_items i ON i.id = f.item_id
  WHERE i.package_id = b.package_id AND f.funder_code = b.funder_code), 0)::bigint END AS allocated_idr
    FROM package_budgets b JOIN packages pkg ON pkg.id = b.package_id
    WHERE b.package_id = ANY($1::int[]) ORDER BY b.package_id, b.funder_code;

SELECT b.package_id, b.funder_code, b.budget_idr, b.over_budget_reason,
      CASE WHEN true THEN coalesce((SELECT sum(f.amount_idr) FROM package_item_funding f JOIN package_items i ON i.id = f.item_id
  WHERE i.package_id = b.package_id AND f.funder_code = b.funder_code), 0)::bigint END AS allocated_idr
    FROM package_budgets b JOIN packages pkg ON pkg.id = b.package_id
    WHERE b.package_id = ANY($1::int[]) ORDER BY b.package_id, b.funder_code;

SELECT f.code, f.name, f.kind, coalesce(d.requires_mustahik, false) AS requires_mustahik, f.description
    FROM funders f LEFT JOIN funds d ON d.funder_code = f.code AND d.is_default ORDER BY f.code;

SELECT h.id FROM households h WHERE left(h.village_code, 5) = $1 AND true AND h.inactive_since IS NULL AND h.village_code = $2 ORDER BY h.id;

SELECT h.id, h.registry_id, h.village_code, ST_AsGeoJSON(h.location, 7) AS location, h.desil, h.livelihood,
  h.is_mustahik, h.receives_pkh, h.receives_bpnt, h.has_small_business, h.floor_area_m2, h.occupants,
  h.floor_material, h.wall_material, h.roof_material, h.has_own_toilet, h.has_electricity, h.water_source,
  h.land_ownership, h.had_housing_aid, h.rtlh_reasons, h.is_rtlh, h.pas::text[] AS pas, h.member_count,
  h.has_elderly, h.has_child, h.has_disabled, h.component_conditions, h.damage_class, h.inactive_since::text AS inactive_since FROM households h
    WHERE h.id = ANY($1::int[]) AND left(h.village_code, 5) = $2 AND true;

SELECT i.household_id, i.package_id, i.intervention_code
    FROM package_items i JOIN interventions iv ON iv.code = i.intervention_code JOIN packages p ON p.id = i.package_id
    WHERE iv.is_housing AND p.status <> 'CANCELLED' AND i.household_id = ANY($1::int[]);

SELECT item.id, item.package_id, item.intervention_code, iv.category, iv.target, iv.is_housing, iv.serves, item.funder_code,
  item.household_id, item.member_id, ST_AsGeoJSON(item.location, 7) AS location,
  round(ST_X(coalesce(item.location, h.location))::numeric, 7)::float8 AS lon, round(ST_Y(coalesce(item.location, h.location))::numeric, 7)::float8 AS lat,
  item.quantity, item.unit_cost_idr, item.cost_idr, item.eligibility_override_reason, item.origin, item.progress, item.started_on, item.done_on,
  item.amount_note, iv.name_id, iv.package_id AS specific_to FROM package_items item
  JOIN packages pkg ON pkg.id = item.package_id
  JOIN interventions iv ON iv.code = item.intervention_code
  LEFT JOIN households h ON h.id = item.household_id
    WHERE item.package_id = ANY($1::int[]) ORDER BY item.package_id, item.id;

SELECT item.id, item.package_id, item.intervention_code, iv.category, iv.target, iv.is_housing, iv.serves, item.funder_code,
  item.household_id, item.member_id, ST_AsGeoJSON(item.location, 7) AS location,
  round(ST_X(coalesce(item.location, h.location))::numeric, 7)::float8 AS lon, round(ST_Y(coalesce(item.location, h.location))::numeric, 7)::float8 AS lat,
  item.quantity, item.unit_cost_idr, item.cost_idr, item.eligibility_override_reason, item.origin, item.progress, item.started_on, item.done_on,
  item.amount_note, iv.name_id, iv.package_id AS specific_to FROM package_items item
  JOIN packages pkg ON pkg.id = item.package_id
  JOIN interventions iv ON iv.code = item.intervention_code
  LEFT JOIN households h ON h.id = item.household_id
    WHERE item.package_id = ANY($1::int[]) ORDER BY item.package_id, item.id;

SELECT item_id, funder_code, fund_code, amount_idr FROM package_item_funding WHERE item_id = ANY($1::int[]) ORDER BY item_id, amount_idr DESC, fund_code;

SELECT iv.*, coalesce((SELECT array_agg(x.funder_code ORDER BY x.funder_code) FROM intervention_funders x WHERE x.intervention_code = iv.code), '{}') AS funder_codes FROM interventions iv
    WHERE ($1::text IS NULL OR iv.category::text = $2)
      AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM intervention_funders x WHERE x.intervention_code = iv.code AND x.funder_code = $4))
      AND ($5 = false OR iv.is_active)
      AND (iv.package_id IS NULL OR iv.package_id = $6::int)
    ORDER BY iv.category, iv.code;

SELECT m.id, m.household_id, m.birth_date, date_part('year', age(current_date, m.birth_date))::int AS age,
      m.sex, m.relation, m.disability, m.in_school, mi.full_name, mi.nik
    FROM members m LEFT JOIN member_identities mi ON mi.member_id = m.id
    WHERE m.household_id = ANY($1::int[]) ORDER BY m.household_id, m.id;

SELECT p.id, p.village_code, p.name, p.status, p.version, p.template_of, p.proposal_decisions, p.created_by, to_json(p.created_at)#>>'{}' AS created_at, to_json(p.updated_at)#>>'{}' AS updated_at FROM packages p
    WHERE p.id = $1 AND left(p.village_code, 5) = $2;

SELECT pg_try_advisory_xact_lock(7102026, hashtext($1)) AS locked;

SELECT r.code, r.name, r.name_key, r.kind, r.district_code, r.regency_code, r.province_code,
  g.village_code IS NOT NULL AS has_boundary, ST_AsGeoJSON(g.centroid, 7) AS centroid, g.area_m2,
  g.is_coastal, g.coastal_source, g.seaward_boundary_m, g.distance_to_coastline_m,
  coalesce(s.households, 0) AS households, coalesce(s.members, 0) AS members, s.households_by_desil,
  coalesce(s.households_desil_1_to_2, 0) AS households_desil_1_to_2,
  coalesce(s.households_desil_1_to_4, 0) AS households_desil_1_to_4, s.households_by_pas,
  coalesce(s.rtlh_households, 0) AS rtlh_households, coalesce(s.elderly_members, 0) AS elderly_members,
  coalesce(s.child_members, 0) AS child_members, coalesce(s.disabled_members, 0) AS disabled_members,
  coalesce(s.households_with_elderly, 0) AS households_with_elderly,
  coalesce(s.households_with_disabled, 0) AS households_with_disabled,
  coalesce(s.fisher_households, 0) AS fisher_households, coalesce(s.fisher_share, 0) AS fisher_share,
  coalesce(s.vulnerable_households, 0) AS vulnerable_households, 0::float8 AS priority_score FROM regions r
  LEFT JOIN village_geography g ON g.village_code = r.code
  LEFT JOIN village_stats s ON s.village_code = r.code
    WHERE r.level = 'VILLAGE' AND r.code = ANY($1::text[]);

SELECT round(ST_X(p)::numeric, 7)::float8 AS lon, round(ST_Y(p)::numeric, 7)::float8 AS lat
    FROM (SELECT ST_PointOnSurface(boundary) AS p FROM village_geography WHERE village_code = $1) x;

SELECT round(ST_X(p)::numeric, 7)::float8 AS lon, round(ST_Y(p)::numeric, 7)::float8 AS lat
    FROM (SELECT ST_PointOnSurface(boundary) AS p FROM village_geography WHERE village_code = $1) x;

WITH served_households AS MATERIALIZED (SELECT DISTINCT i.household_id FROM package_items i WHERE i.package_id = $1 AND i.household_id IS NOT NULL) SELECT count(*) FILTER (WHERE (h.desil <= 2 OR h.is_rtlh OR cardinality(h.pas::text[]) > 0))::int AS in_need,
      count(*) FILTER (WHERE (h.desil <= 2 OR h.is_rtlh OR cardinality(h.pas::text[]) > 0) AND h.id IN (SELECT household_id FROM served_households))::int AS served
    FROM households h WHERE left(h.village_code, 5) = $2 AND h.inactive_since IS NULL AND h.village_code = $3;

WITH served_households AS MATERIALIZED (SELECT DISTINCT i.household_id FROM package_items i WHERE i.package_id = $1 AND i.household_id IS NOT NULL) SELECT count(*) FILTER (WHERE (h.desil <= 2 OR h.is_rtlh OR cardinality(h.pas::text[]) > 0))::int AS in_need,
      count(*) FILTER (WHERE (h.desil <= 2 OR h.is_rtlh OR cardinality(h.pas::text[]) > 0) AND h.id IN (SELECT household_id FROM served_households))::int AS served
    FROM households h WHERE left(h.village_code, 5) = $2 AND h.inactive_since IS NULL AND h.village_code = $3;
