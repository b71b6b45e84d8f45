import { readFileSync } from 'node:fs';
import { DymuError } from '@dymu/core';
import { type ProtoField, protoFields } from './proto-reader.ts';

/** SentencePiece.Type of sentencepiece_model.proto (NORMAL = 1 … BYTE = 6). */
const PIECE_TYPES = ['NORMAL', 'UNKNOWN', 'CONTROL', 'USER_DEFINED', 'UNUSED', 'BYTE'] as const;
export type PieceType = (typeof PIECE_TYPES)[number];

/** TrainerSpec.ModelType (UNIGRAM = 1 … CHAR = 4). */
const MODEL_TYPES = ['UNIGRAM', 'BPE', 'WORD', 'CHAR'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

export interface SentencePiece {
  piece: string;
  score: number;
  type: PieceType;
}

/** The fields of TrainerSpec that decide how text is encoded, with the proto's defaults. */
export interface TrainerSpec {
  modelType: ModelType;
  byteFallback: boolean;
  treatWhitespaceAsSuffix: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  unkPiece: string;
  bosPiece: string;
  eosPiece: string;
  padPiece: string;
}

/** NormalizerSpec, with the proto's defaults. */
export interface NormalizerSpec {
  name: string;
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

/** A SentencePiece `tokenizer.model` (ModelProto): pieces in id order, trainer and normalizer specs. */
export interface SentencePieceModel {
  pieces: SentencePiece[];
  trainer: TrainerSpec;
  normalizer: NormalizerSpec;
}

/** Field numbers of sentencepiece_model.proto. */
const MODEL = { pieces: 1, trainerSpec: 2, normalizerSpec: 3 };
const PIECE = { piece: 1, score: 2, type: 3 };
const TRAINER = {
  modelType: 3, treatWhitespaceAsSuffix: 24, byteFallback: 35,
  unkId: 40, bosId: 41, eosId: 42, padId: 43, unkPiece: 45, bosPiece: 46, eosPiece: 47, padPiece: 48,
};
const NORMALIZER = { name: 1, precompiledCharsmap: 2, addDummyPrefix: 3, removeExtraWhitespaces: 4, escapeWhitespaces: 5 };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a SentencePiece model file; anything that is not a ModelProto is a DymuError naming the file and field. */
export function readSentencePieceModel(file: string): SentencePieceModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new DymuError(`cannot read: ${(cause as Error).message}`, { file, cause });
  }
  return parseSentencePieceModel(bytes, file);
}

/** Decodes a ModelProto. `file` names the source in errors. */
export function parseSentencePieceModel(bytes: Uint8Array, file: string): SentencePieceModel {
  const fields = protoFields(bytes, file, '');
  const pieces = fields
    .filter((f) => f.field === MODEL.pieces)
    .map((f, i) => parsePiece(messageBytes(f, file, `pieces[${i}]`), file, `pieces[${i}]`));
  if (pieces.length === 0) throw new DymuError('no pieces: not a SentencePiece model (ModelProto)', { file, field: 'pieces' });
  const trainer = new Reader(lastMessage(fields, MODEL.trainerSpec, file, 'trainer_spec'), file, 'trainer_spec');
  const normalizer = new Reader(lastMessage(fields, MODEL.normalizerSpec, file, 'normalizer_spec'), file, 'normalizer_spec');
  const model: SentencePieceModel = {
    pieces,
    trainer: {
      modelType: trainer.enumValue(TRAINER.modelType, 'model_type', MODEL_TYPES, 'UNIGRAM'),
      byteFallback: trainer.bool(TRAINER.byteFallback, 'byte_fallback', false),
      treatWhitespaceAsSuffix: trainer.bool(TRAINER.treatWhitespaceAsSuffix, 'treat_whitespace_as_suffix', false),
      unkId: trainer.int(TRAINER.unkId, 'unk_id', 0),
      bosId: trainer.int(TRAINER.bosId, 'bos_id', 1),
      eosId: trainer.int(TRAINER.eosId, 'eos_id', 2),
      padId: trainer.int(TRAINER.padId, 'pad_id', -1),
      unkPiece: trainer.string(TRAINER.unkPiece, 'unk_piece', '<unk>'),
      bosPiece: trainer.string(TRAINER.bosPiece, 'bos_piece', '<s>'),
      eosPiece: trainer.string(TRAINER.eosPiece, 'eos_piece', '</s>'),
      padPiece: trainer.string(TRAINER.padPiece, 'pad_piece', '<pad>'),
    },
    normalizer: {
      name: normalizer.string(NORMALIZER.name, 'name', ''),
      precompiledCharsmap: normalizer.bytes(NORMALIZER.precompiledCharsmap, 'precompiled_charsmap') ?? new Uint8Array(0),
      addDummyPrefix: normalizer.bool(NORMALIZER.addDummyPrefix, 'add_dummy_prefix', true),
      removeExtraWhitespaces: normalizer.bool(NORMALIZER.removeExtraWhitespaces, 'remove_extra_whitespaces', true),
      escapeWhitespaces: normalizer.bool(NORMALIZER.escapeWhitespaces, 'escape_whitespaces', true),
    },
  };
  for (const [field, id] of [['unk_id', model.trainer.unkId], ['bos_id', model.trainer.bosId], ['eos_id', model.trainer.eosId], ['pad_id', model.trainer.padId]] as const) {
    if (id < -1 || id >= pieces.length) throw new DymuError(`${id} is not a piece id (the model has ${pieces.length} pieces)`, { file, field: `trainer_spec.${field}` });
  }
  return model;
}

function parsePiece(bytes: Uint8Array, file: string, path: string): SentencePiece {
  const reader = new Reader(bytes, file, path);
  const piece = reader.string(PIECE.piece, 'piece', undefined);
  if (piece === undefined) throw new DymuError('missing', { file, field: `${path}.piece` });
  return { piece, score: reader.float(PIECE.score, 'score', 0), type: reader.enumValue(PIECE.type, 'type', PIECE_TYPES, 'NORMAL') };
}

function messageBytes(f: ProtoField, file: string, path: string): Uint8Array {
  if (f.wire !== 'bytes') throw new DymuError(`expected a message, found a ${f.wire} field`, { file, field: path });
  return f.bytes;
}

/** The last occurrence of a sub-message (protobuf merges repeated occurrences; these specs are never split). */
function lastMessage(fields: ProtoField[], field: number, file: string, path: string): Uint8Array {
  const found = fields.filter((f) => f.field === field);
  return found.length === 0 ? new Uint8Array(0) : messageBytes(found[found.length - 1], file, path);
}

/** Typed access to the singular fields of one message; the last occurrence wins, as in protobuf. */
class Reader {
  private readonly fields: Map<number, ProtoField>;

  constructor(bytes: Uint8Array, private readonly file: string, private readonly path: string) {
    this.fields = new Map(protoFields(bytes, file, path).map((f) => [f.field, f]));
  }

  int(field: number, name: string, fallback: number): number {
    const f = this.fields.get(field);
    if (f === undefined) return fallback;
    if (f.wire !== 'varint') throw this.error(name, `expected an integer, found a ${f.wire} field`);
    return f.value;
  }

  bool(field: number, name: string, fallback: boolean): boolean {
    return this.int(field, name, fallback ? 1 : 0) !== 0;
  }

  float(field: number, name: string, fallback: number): number {
    const f = this.fields.get(field);
    if (f === undefined) return fallback;
    if (f.wire !== 'fixed32') throw this.error(name, `expected a float, found a ${f.wire} field`);
    return new DataView(f.bytes.buffer, f.bytes.byteOffset, 4).getFloat32(0, true);
  }

  bytes(field: number, name: string): Uint8Array | undefined {
    const f = this.fields.get(field);
    if (f === undefined) return undefined;
    if (f.wire !== 'bytes') throw this.error(name, `expected a string or bytes, found a ${f.wire} field`);
    return f.bytes;
  }

  string<T extends string | undefined>(field: number, name: string, fallback: T): string | T {
    const bytes = this.bytes(field, name);
    if (bytes === undefined) return fallback;
    try {
      return utf8.decode(bytes);
    } catch (cause) {
      throw this.error(name, 'not valid UTF-8', cause);
    }
  }

  enumValue<T extends string>(field: number, name: string, names: readonly T[], fallback: T): T {
    const f = this.fields.get(field);
    if (f === undefined) return fallback;
    if (f.wire !== 'varint' || names[f.value - 1] === undefined) {
      throw this.error(name, `expected one of ${names.map((n, i) => `${n} (${i + 1})`).join(', ')}, got ${f.wire === 'varint' ? f.value : `a ${f.wire} field`}`);
    }
    return names[f.value - 1];
  }

  private error(name: string, message: string, cause?: unknown): DymuError {
    return new DymuError(message, { file: this.file, field: this.path ? `${this.path}.${name}` : name, cause });
  }
}
