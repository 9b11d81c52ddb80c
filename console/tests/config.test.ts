import { ConfigError, parseConfig } from "../src/config";

const services = {
  ingest: "http://i/",
  registry: "http://r",
  cost: "http://c",
  budget: "http://b",
  notification: "https://n",
};

test("reads the services and trims trailing slashes", () => {
  const config = parseConfig({ services, devLogin: true });
  expect(config.services.ingest).toBe("http://i");
  expect(config.oidc).toBeNull();
});

test("an empty URL means the console's own origin (one host behind the Ingress)", () => {
  const config = parseConfig({ services: { ...services, cost: "" }, devLogin: true });
  expect(config.services.cost).toBe(window.location.origin);
});

test("says which setting is wrong", () => {
  expect(() => parseConfig({ services: { ...services, cost: "ftp://x" }, devLogin: true })).toThrow(
    "services.cost must be an http(s) URL or \"\"",
  );
  expect(() => parseConfig({ services, devLogin: false })).toThrow(ConfigError);
  expect(() => parseConfig({ services, oidc: { authority: "https://idp" } })).toThrow("oidc needs authority and clientId");
});
