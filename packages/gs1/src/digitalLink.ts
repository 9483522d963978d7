import type { AiElement } from "./aiLint.js";

/** What a GS1 Digital Link URI says, read by `parseDigitalLink`. */
export interface DigitalLink {
  /** `gs1` for the standard's numeric AIs; `convenience` when it used the legacy DSCSA form. */
  readonly form: "gs1" | "convenience";
  /** Scheme, domain and any path stem before the primary key (`https://id.gs1.org`). */
  readonly stem: string;
  readonly primaryKey: AiElement;
  /** The primary key and its key qualifiers, in path order. */
  readonly path: readonly AiElement[];
  /** The query string's AIs, in the order sent (a legacy `exp` as AI 17). */
  readonly attributes: readonly AiElement[];
  /** AI (01), when it is the primary key. */
  readonly gtin?: string;
  /** AI (22), (10), (21), (17) as sent (the expiry is YYMMDD; read it with `parseGs1Date`). */
  readonly cpv?: string;
  readonly lot?: string;
  readonly serial?: string;
  readonly expiry?: string;
  /** The resolver link type asked for (`gs1:verificationService`, `verificationService`, ...). */
  readonly linkType?: string;
  /** The DSCSA verification request's parameters (NOTES 4.1), those that were sent. */
  readonly vrs: VrsParameters;
  /** Every other non-AI query parameter, decoded, in order; `value` null for a bare name. */
  readonly otherQuery: readonly QueryParameter[];
}

export interface VrsParameters {
  readonly context?: string;
  /** The requester's GLN (13 digits, check digit verified). */
  readonly reqGLN?: string;
  /** The correlation UUID the response echoes. */
  readonly corrUUID?: string;
  /** Release 1.3: the requester attests possession or control. */
  readonly ctrlPossessAtt?: boolean;
}

export interface QueryParameter {
  readonly name: string;
  readonly value: string | null;
}

/** What `formatDigitalLink` writes: a GTIN and its qualifiers and expiry. */
export interface GtinLinkFields {
  readonly gtin: string;
  readonly cpv?: string;
  readonly lot?: string;
  readonly serial?: string;
  readonly expiry?: string;
  readonly linkType?: string;
}

/** GS1's canonical resolver, the default stem. */
export const GS1_RESOLVER = "https://id.gs1.org";

/** Bounds on what is read at all: the URI's length and its AI and query elements. */
export const DIGITAL_LINK_LENGTH_MAX = 2048;
export const DIGITAL_LINK_ELEMENTS_MAX = 64;
