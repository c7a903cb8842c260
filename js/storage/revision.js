/** A stored profile's revision: a random token, so a deleted-then-recreated record never
 * looks unchanged to a tab that saw an older one. */
export function newRevision() {
  const a = new Uint32Array(2);
  globalThis.crypto.getRandomValues(a);
  return a[0].toString(36) + a[1].toString(36);
}
