/**
 * GraphQL enums from the value lists the database schema already holds (`PAS_CODES`,
 * `PACKAGE_STATUSES`, …), so an enum is declared once, in src/db/schema.ts, and the GraphQL enum
 * can never drift from the PostgreSQL one. type-graphql's `registerEnumType` wants an object whose
 * keys and values are the members.
 */
export const enumOf = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };
