import { toCsv } from "../src/lib/csv";

test("quotes what needs quoting and ends lines with CRLF", () => {
  expect(toCsv(["a", "b"], [["plain", 'say "hi", then go'], [1, null]])).toBe(
    'a,b\r\nplain,"say ""hi"", then go"\r\n1,\r\n',
  );
});
