import { randomUUID } from "node:crypto";
import { type FileHandle, open, unlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/**
 * A temporary file that one writer appends to while one reader streams it out, so a producer that must finish quickly
 * (a database transaction) does not wait for a slow consumer (a download), and neither holds the whole output in
 * memory. The file is unlinked as soon as it is opened: nothing is left behind, also when the process dies; its space
 * is freed when the spool is closed.
 */
export class Spool {
  private written = 0;
  private read = 0;
  private ended = false;
  private failure: { error: unknown } | null = null;
  private wake: (() => void) | null = null;
  private closed = false;

  private constructor(private readonly file: FileHandle) {}

  static async open(directory = os.tmpdir()): Promise<Spool> {
    const name = path.join(directory, `mahnwerk-spool-${randomUUID()}`);
    const file = await open(name, "wx+", 0o600);
    try {
      await unlink(name);
    } catch (error) {
      await file.close();
      throw error;
    }
    return new Spool(file);
  }

  /** Appends bytes; the writer awaits each write before the next. */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.ended) throw new Error("the spool has ended");
    for (let at = 0; at < bytes.byteLength;) {
      if (this.closed) return;
      const { bytesWritten } = await this.file.write(bytes, at, bytes.byteLength - at, this.written);
      at += bytesWritten;
      this.written += bytesWritten;
    }
    this.notify();
  }

  /** The reader closed the spool: what is still written is dropped. */
  get abandoned(): boolean {
    return this.closed;
  }

  /** No more writes: the reader reaches the end, or, with an error, receives it after what was written. */
  end(error?: unknown): void {
    this.ended = true;
    if (error !== undefined) this.failure = { error };
    this.notify();
  }

  /** Up to `max` bytes that follow what was read; waits for the writer; null at the end. */
  async next(max = 256 * 1024): Promise<Uint8Array | null> {
    while (this.read === this.written) {
      if (this.failure) throw this.failure.error;
      if (this.ended || this.closed) return null;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const buffer = Buffer.allocUnsafe(Math.min(max, this.written - this.read));
    const { bytesRead } = await this.file.read(buffer, 0, buffer.byteLength, this.read);
    this.read += bytesRead;
    return buffer.subarray(0, bytesRead);
  }

  /** Frees the file; later writes are dropped (a reader that gave up), a waiting reader gets the end. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.notify();
    await this.file.close();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
