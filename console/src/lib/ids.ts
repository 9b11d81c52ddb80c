// Ids shown short. The SDK's ids are time-ordered (UUID version 7): their first characters
// are a timestamp that runs started together share, so the short form is the random end.
export function shortId(id: string, length = 12): string {
  return id.length <= length ? id : `…${id.slice(-length)}`;
}
