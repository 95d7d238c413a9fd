/**
 * The Redis clock as one process sees it: every pacer reply carries Redis TIME, and the estimate is
 * the local monotonic clock plus the smallest offset among recent replies. The reply's TIME was read
 * after the request left, so each offset is an upper bound: the estimate is never behind Redis (a
 * slot is never recorded earlier than the call it stands for), and it is ahead by at most the
 * fastest recent round trip. Recent replies only, so the two clocks' drift cannot build up.
 */
import type { Clock } from '../run/clock.js';

const SAMPLES = 16;

export class RedisTime {
  private readonly offsets: number[] = [];
  private offset = NaN;
  private last = -Infinity;

  constructor(private readonly local: Clock) {}

  get known(): boolean {
    return !Number.isNaN(this.offset);
  }

  /** Redis time now, ms (never runs backwards). */
  now(): number {
    const t = this.local.now() + this.offset;
    if (t > this.last) this.last = t;
    return this.last;
  }

  /** Local time a request was sent, and the Redis TIME its reply carried. */
  sample(sentAt: number, seconds: number | string, micros: number | string): void {
    this.offsets.push(Number(seconds) * 1000 + Number(micros) / 1000 - sentAt);
    if (this.offsets.length > SAMPLES) this.offsets.shift();
    this.offset = Math.min(...this.offsets);
  }
}
