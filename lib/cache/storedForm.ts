// The string a store holds for one entry: `p1.<envelope JSON>` for ordinary policies, the AES-256-GCM form for
// sensitive ones (see encryption.ts). A sensitive policy reads only the encrypted form, so a plaintext value planted
// under its key is a miss, never served.
import { isEncryptedForm, type ValueCipher } from './encryption.js';
import { type Envelope, parseEnvelope } from './serialize.js';

const PLAIN = 'p1.';

export function seal(envelopeJson: string, key: string, sensitive: boolean, cipher: ValueCipher): string {
  return sensitive ? cipher.encrypt(envelopeJson, key) : `${PLAIN}${envelopeJson}`;
}

export interface Unsealed {
  readonly envelope: Envelope;
  /** The envelope's JSON text, from which a caller may decode its own copy of the value. */
  readonly json: string;
}

/** The envelope, or undefined when the form does not match the policy, decryption fails, or the JSON is not one. */
export function unseal(stored: string, key: string, sensitive: boolean, cipher: ValueCipher): Unsealed | undefined {
  let json: string | undefined;
  if (sensitive) json = isEncryptedForm(stored) ? cipher.decrypt(stored, key) : undefined;
  else json = stored.startsWith(PLAIN) ? stored.slice(PLAIN.length) : undefined;
  if (json === undefined) return undefined;
  const envelope = parseEnvelope(json);
  return envelope ? { envelope, json } : undefined;
}
