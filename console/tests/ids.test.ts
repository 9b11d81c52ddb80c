import { describe, expect, it } from "vitest";

import { shortId } from "../src/lib/ids";

describe("shortId", () => {
  it("tells apart time-ordered ids made in the same millisecond", () => {
    const a = "01a20f45-60a1-7c3e-9b1d-5f0e2a7c4d11";
    const b = "01a20f45-60a1-7f02-8e6a-0c9b3d1e7a52";
    expect(shortId(a)).not.toEqual(shortId(b));
    expect(shortId(a)).toBe("…5f0e2a7c4d11");
  });

  it("keeps a short id whole", () => {
    expect(shortId("run-7")).toBe("run-7");
  });
});
