import { uint16, uint32, utf8, lengthPrefixed, varint } from './wire-bytes.ts';

/**
 * MQTT 5 properties [MQTT-2.2.2]: a variable byte integer length, then identifier and value pairs.
 * A draft names a property and how to write it: right, with a value of the wrong type, twice
 * (a Protocol Error for every property but the user property), or an identifier that does not exist.
 */
type ValueType = 'byte' | 'u16' | 'u32' | 'varint' | 'string' | 'binary' | 'pair';

const propertyTypes: Record<number, ValueType> = {
  0x01: 'byte', // payload format indicator
  0x02: 'u32', // message expiry interval
  0x03: 'string', // content type
  0x08: 'string', // response topic
  0x09: 'binary', // correlation data
  0x0b: 'varint', // subscription identifier
  0x11: 'u32', // session expiry interval
  0x17: 'byte', // request problem information
  0x19: 'byte', // request response information
  0x21: 'u16', // receive maximum
  0x22: 'u16', // topic alias maximum
  0x23: 'u16', // topic alias
  0x26: 'pair', // user property
  0x27: 'u32', // maximum packet size
};

/** Which properties each packet may carry [MQTT-2.2.2.2]; any other is a Protocol Error. */
const allowedProperties = {
  connect: [0x11, 0x17, 0x19, 0x21, 0x22, 0x26, 0x27],
  will: [0x01, 0x02, 0x03, 0x08, 0x09, 0x26],
  publish: [0x01, 0x02, 0x03, 0x08, 0x09, 0x23, 0x26],
  subscribe: [0x0b, 0x26],
  unsubscribe: [0x26],
} as const;
export type PropertyHolder = keyof typeof allowedProperties;

export const propertyIds = [...Object.keys(propertyTypes).map(Number), 0x00, 0x7f] as const;
const propertyForms = ['right', 'wrong-type', 'twice', 'zero'] as const;

export interface PropertyDraft {
  id: number;
  form: (typeof propertyForms)[number];
}

export interface EncodedProperties {
  bytes: Buffer;
  /** Why a conforming receiver treats these as malformed or a Protocol Error, if it does. */
  violation: string | undefined;
}

export function encodeProperties(drafts: readonly PropertyDraft[], holder: PropertyHolder): EncodedProperties {
  const parts: Buffer[] = [];
  let violation: string | undefined;
  const seen = new Set<number>();
  const note = (why: string) => (violation ??= why);
  for (const draft of drafts) {
    const type = propertyTypes[draft.id];
    if (type === undefined) {
      note(`property 0x${draft.id.toString(16)} does not exist (malformed) [MQTT-2.2.2]`);
      parts.push(varint(draft.id), Buffer.from([0]));
      continue;
    }
    if (!(allowedProperties[holder] as readonly number[]).includes(draft.id)) note(`property 0x${draft.id.toString(16)} is not allowed in ${holder} (Protocol Error) [MQTT-2.2.2]`);
    const times = draft.form === 'twice' ? 2 : 1;
    for (let i = 0; i < times; i++) {
      if (seen.has(draft.id) && draft.id !== 0x26) note(`property 0x${draft.id.toString(16)} included twice (Protocol Error) [MQTT-2.2.2]`);
      seen.add(draft.id);
      parts.push(varint(draft.id), draft.form === 'wrong-type' ? wrongValue(type) : value(type, draft.form === 'zero'));
    }
    if (draft.form === 'wrong-type') note(`property 0x${draft.id.toString(16)} with a value of the wrong type (malformed) [MQTT-2.2.2]`);
    if (draft.form === 'zero' && (draft.id === 0x21 || draft.id === 0x0b || draft.id === 0x23 || draft.id === 0x27)) note(`property 0x${draft.id.toString(16)} of 0 (Protocol Error) [MQTT-3.1.2]`);
  }
  const body = Buffer.concat(parts);
  return { bytes: Buffer.concat([varint(body.length), body]), violation };
}

function value(type: ValueType, zero: boolean): Buffer {
  switch (type) {
    case 'byte':
      return Buffer.from([zero ? 0 : 1]);
    case 'u16':
      return uint16(zero ? 0 : 10);
    case 'u32':
      return uint32(zero ? 0 : 60);
    case 'varint':
      return varint(zero ? 0 : 7);
    case 'string':
      return utf8(zero ? '' : 'text/plain');
    case 'binary':
      return lengthPrefixed(Buffer.from(zero ? [] : [1, 2, 3]));
    case 'pair':
      return Buffer.concat([utf8('k'), utf8(zero ? '' : 'v')]);
  }
}

/** A value of another shape: a string where a number goes, a byte where a string goes. */
function wrongValue(type: ValueType): Buffer {
  switch (type) {
    case 'byte':
      return Buffer.from([0x07]); // only 0 and 1 are valid
    case 'u16':
    case 'u32':
    case 'varint':
      return utf8('sixty');
    case 'string':
    case 'binary':
    case 'pair':
      return Buffer.from([0xff]);
  }
}
