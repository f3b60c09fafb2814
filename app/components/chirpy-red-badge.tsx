/** No directive: the author page renders it on the server, the timeline's list in the browser. */
export function ChirpyRedBadge() {
  return <span className="badge">Chirpy Red</span>;
}
