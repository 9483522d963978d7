import { Type } from "@sinclair/typebox";

/** Response shapes. Hashes and keys are lowercase hex; heights and counts JSON numbers. */
export const Hex = Type.String({ pattern: "^[0-9a-f]*$" });

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown()),
  }),
});

export const StatusResponse = Type.Object({
  chain: Hex,
  node: Hex,
  height: Type.Integer(),
  headHash: Hex,
  stateRoot: Hex,
  view: Type.Integer(),
  primary: Hex,
  validators: Type.Array(Hex),
  peers: Type.Integer(),
  syncing: Type.Boolean(),
});

export const HeaderView = Type.Object({
  v: Type.Integer(),
  chain: Hex,
  height: Type.Integer(),
  prevHash: Hex,
  time: Type.Integer(),
  proposer: Hex,
  view: Type.Integer(),
  txRoot: Hex,
  stateRoot: Hex,
  receiptsRoot: Hex,
  validatorsHash: Hex,
  nextValidatorsHash: Hex,
});

export const CertificateView = Type.Object({
  height: Type.Integer(),
  view: Type.Integer(),
  blockHash: Hex,
  votes: Type.Array(Type.Object({ validator: Type.Integer(), sig: Hex })),
});

export const BlockResponse = Type.Object({
  hash: Hex,
  height: Type.Integer(),
  header: HeaderView,
  txIds: Type.Array(Hex),
  certificate: Type.Union([CertificateView, Type.Null()]),
});

export const TxSubmitJson = Type.Object(
  { tx: Type.String({ maxLength: 100_000, description: "base64 of the canonical tx bytes" }) },
  { additionalProperties: false },
);

export const TxAccepted = Type.Object({ id: Hex });

export const TxStatusResponse = Type.Object({
  id: Hex,
  status: Type.Union([Type.Literal("pending"), Type.Literal("committed"), Type.Literal("unknown")]),
  height: Type.Optional(Type.Integer()),
  index: Type.Optional(Type.Integer()),
  receipt: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
