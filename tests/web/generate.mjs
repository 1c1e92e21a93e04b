// A generated MISP event of many attributes, for the browser tests of
// the event view on a large event.  Values are unique and made from the
// row number, so a test can compute the value of each row.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BIG_UUID = '10000000-aaaa-4bbb-8ccc-000000010000';
const TYPES = [['ip-dst', 'Network activity'], ['domain', 'Network activity'], ['url', 'Network activity'],
  ['md5', 'Payload delivery'], ['sha256', 'Payload delivery']];
const OBJECTS = 20;
const FILE_RELATIONS = [['filename', 'filename'], ['md5', 'md5'], ['sha1', 'sha1'], ['sha256', 'sha256'], ['size-in-bytes', 'size-in-bytes']];

function uuid(prefix, i) {
  return `${prefix}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

// The value of row i: an ip-dst, domain, url, md5 or sha256 in turn.
export function bigValue(i) {
  switch (i % TYPES.length) {
    case 0: return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    case 1: return `host${i}.example.net`;
    case 2: return `http://host${i}.example.org/path/${i}`;
    case 3: return i.toString(16).padStart(32, '0');
    default: return i.toString(16).padStart(64, '0');
  }
}

function attribute(i) {
  const [type, category] = TYPES[i % TYPES.length];
  const a = { uuid: uuid('5a5a5a5a', i), type, category, value: bigValue(i), to_ids: i % 3 === 0,
    comment: `row ${i}`, timestamp: '1700000000', distribution: '5' };
  if (i % 50 === 0) {
    a.first_seen = `2023-01-${String((i % 28) + 1).padStart(2, '0')}T00:00:00.000000+00:00`;
    a.last_seen = `2023-03-${String((i % 28) + 1).padStart(2, '0')}T00:00:00.000000+00:00`;
  }
  return a;
}

function fileObject(k) {
  const hex = (len) => (0xf000 + k).toString(16).padStart(len, 'f');
  const values = { filename: `sample${k}.exe`, md5: hex(32), sha1: hex(40), sha256: hex(64), 'size-in-bytes': String(1000 + k) };
  return { uuid: uuid('0b0b0b0b', k), name: 'file', 'meta-category': 'file', template_version: '24',
    template_uuid: '688c46fb-5edb-40a3-8273-1af7923e2215', timestamp: '1700000000', distribution: '5',
    Attribute: FILE_RELATIONS.map(([relation, type], j) => ({ uuid: uuid('0c0c0c0c', k * 10 + j), type, object_relation: relation,
      category: type === 'size-in-bytes' ? 'Other' : 'Payload delivery',
      value: values[relation], timestamp: '1700000000', distribution: '5' })) };
}

// Writes an event of `total` attributes into dir: OBJECTS file objects
// of five attributes each, and the rest as attributes of the event.
// Returns the file's path.
export function writeBigEvent(dir, total) {
  const loose = total - OBJECTS * FILE_RELATIONS.length;
  const event = { uuid: BIG_UUID, info: `Generated event of ${total} attributes`, date: '2024-05-01',
    threat_level_id: '2', analysis: '1', distribution: '1', published: false, timestamp: '1700000000',
    Attribute: Array.from({ length: loose }, (_, i) => attribute(i)),
    Object: Array.from({ length: OBJECTS }, (_, k) => fileObject(k)) };
  const path = join(dir, `${BIG_UUID}.json`);
  writeFileSync(path, JSON.stringify({ Event: event }));
  return path;
}
