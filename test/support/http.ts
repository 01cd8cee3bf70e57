import { request } from "node:http";

/**
 * A POST that declares a body of `length` bytes and sends none of it: how a server answers an oversized request from
 * its headers alone, without racing the upload against the server closing the connection.
 */
export function statusForDeclaredBody(
  url: string,
  length: number,
  headers: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": length } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? undefined : reject(error)));
    req.flushHeaders();
  });
}

/**
 * A GET on a connection of its own: after a barrage of early-answered uploads a pooled keep-alive socket can be reset
 * by the time it is reused, which says nothing about whether the server still serves.
 */
export function statusOnFreshConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}
