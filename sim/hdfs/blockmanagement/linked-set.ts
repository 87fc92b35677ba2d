// LightWeightLinkedSet with its bookmark, as LowRedundancyBlocks uses it: an insertion-ordered set
// and a cursor. The redundancy monitor resumes each priority level where the previous round
// stopped; the cursor goes back to the head when a round reaches the end of every level. A removed
// element under the cursor moves the cursor to its successor; an element added at the tail when the
// cursor is past the end becomes the cursor's next.

interface Entry<T> {
  readonly value: T;
  prev: Entry<T> | null;
  next: Entry<T> | null;
}

export class LinkedSet<T> {
  private readonly entries = new Map<T, Entry<T>>();
  private head: Entry<T> | null = null;
  private tail: Entry<T> | null = null;
  /** The next element the bookmark iterator returns (null: at the end). */
  private bookmark: Entry<T> | null = null;

  get size(): number {
    return this.entries.size;
  }

  has(v: T): boolean {
    return this.entries.has(v);
  }

  add(v: T): boolean {
    if (this.entries.has(v)) return false;
    const e: Entry<T> = { value: v, prev: this.tail, next: null };
    if (this.tail !== null) this.tail.next = e;
    else this.head = e;
    this.tail = e;
    this.entries.set(v, e);
    if (this.bookmark === null) this.bookmark = e;
    return true;
  }

  delete(v: T): boolean {
    const e = this.entries.get(v);
    if (e === undefined) return false;
    if (this.bookmark === e) this.bookmark = e.next;
    if (e.prev !== null) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next !== null) e.next.prev = e.prev;
    else this.tail = e.prev;
    this.entries.delete(v);
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.head = null;
    this.tail = null;
    this.bookmark = null;
  }

  /** Takes up to n elements from the bookmark on, advancing it. */
  takeFromBookmark(n: number): T[] {
    const out: T[] = [];
    while (out.length < n && this.bookmark !== null) {
      out.push(this.bookmark.value);
      this.bookmark = this.bookmark.next;
    }
    return out;
  }

  resetBookmark(): void {
    this.bookmark = this.head;
  }

  values(): T[] {
    const out: T[] = [];
    for (let e = this.head; e !== null; e = e.next) out.push(e.value);
    return out;
  }
}
