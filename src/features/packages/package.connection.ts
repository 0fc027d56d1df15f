import { ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/connection.type.js';
import { Package } from './package.type.js';

export const PackageConnectionBase = Connection(Package, 'Package');
@ObjectType('PackageConnection', { description: 'A page of packages, ordered by id.' })
export class PackageConnection extends PackageConnectionBase {}
