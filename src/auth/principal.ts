/**
 * Who is asking: the verified claims of a bearer token, reduced to what the access rules need.
 * Claims are validated here, once, so that the policy never sees a half-formed principal.
 */
import { z } from 'zod';

export const ROLES = ['ADMIN', 'PLANNER', 'PENDAMPING', 'PARTNER', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** Token subject (a user id at the identity provider); written to audit records. */
  subject: string;
  role: Role;
  /** Organisation the user acts for, e.g. "Dinsos Kota Semarang" or "BAZNAS RI". */
  organisation: string | null;
  /** PARTNER only: the funder code whose items the partner funds (e.g. BAZNAS). */
  funder: string | null;
  /**
   * PLANNER: region codes (province, regency, district or village) the planner plans in;
   * null = national scope (Kemensos headquarters).
   */
  regionCodes: string[] | null;
  /** PENDAMPING: assigned villages. PARTNER: villages explicitly granted to it. */
  villageCodes: string[];
}

const REGION_CODE = /^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$/;
const VILLAGE_CODE = /^\d{2}\.\d{2}\.\d{2}\.\d{4}$/;

/** The custom claims this API reads from a token, beside the registered `sub`. */
export const claimsSchema = z
  .object({
    sub: z.string().min(1, 'sub (the user id) is required'),
    role: z.enum(ROLES, { message: `role must be one of ${ROLES.join(', ')}` }),
    org: z.string().min(1).optional(),
    funder: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'funder must be a funder code such as BAZNAS').optional(),
    regions: z.union([z.literal('*'), z.array(z.string().regex(REGION_CODE, 'regions must be Kemendagri codes such as 33 or 33.74'))]).optional(),
    villages: z.array(z.string().regex(VILLAGE_CODE, 'villages must be village codes such as 33.74.02.1008')).optional(),
  })
  .superRefine((claims, ctx) => {
    if (claims.role === 'PARTNER' && !claims.funder) ctx.addIssue({ code: 'custom', message: 'a PARTNER token needs a funder claim' });
    if (claims.role === 'PLANNER' && claims.regions === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a PLANNER token needs a regions claim ("*" for national scope)' });
    }
    if (claims.role === 'PENDAMPING' && !claims.villages?.length) ctx.addIssue({ code: 'custom', message: 'a PENDAMPING token needs at least one assigned village' });
  });

export type Claims = z.input<typeof claimsSchema>;

export function principalFromClaims(claims: z.output<typeof claimsSchema>): Principal {
  return {
    subject: claims.sub,
    role: claims.role,
    organisation: claims.org ?? null,
    funder: claims.role === 'PARTNER' ? (claims.funder ?? null) : null,
    regionCodes: claims.role === 'PLANNER' ? (claims.regions === '*' || claims.regions === undefined ? null : claims.regions) : null,
    villageCodes: claims.role === 'PENDAMPING' || claims.role === 'PARTNER' ? (claims.villages ?? []) : [],
  };
}
