/**
 * The rows of a long list that are on screen: a scroll container holds a spacer as tall as all the
 * rows; only the rows between `first` and `last` (plus some overscan) exist in the DOM, and they
 * are redrawn when scrolling moves that window. 100k rows cost what 40 do.
 */
export class VirtualWindow {
  private count = 0;
  private first = -1;
  private last = -1;
  private scheduled = false;

  constructor(
    readonly scroller: HTMLElement,
    private readonly spacer: HTMLElement,
    readonly rowHeight: number,
    private readonly render: (first: number, last: number) => void,
    private readonly overscan = 8,
    /** Height taken by sticky content above the rows (a header). */
    private readonly headerHeight = 0,
  ) {
    scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.refresh()).observe(scroller);
  }

  setCount(count: number): void {
    this.count = count;
    this.spacer.style.height = `${count * this.rowHeight + this.headerHeight}px`;
    this.refresh();
  }

  /** Redraws the visible rows (data changed). */
  refresh(): void {
    this.first = -1;
    this.update();
  }

  get visibleRange(): { first: number; last: number } {
    const top = Math.max(0, this.scroller.scrollTop);
    const height = Math.max(0, this.scroller.clientHeight - this.headerHeight);
    const first = Math.max(0, Math.floor(top / this.rowHeight) - this.overscan);
    const last = Math.min(this.count - 1, Math.ceil((top + height) / this.rowHeight) + this.overscan);
    return { first, last };
  }

  /** Scrolls the least needed to show row `index`. */
  reveal(index: number): void {
    const top = index * this.rowHeight;
    const viewTop = this.scroller.scrollTop;
    const viewHeight = this.scroller.clientHeight - this.headerHeight;
    if (top < viewTop) this.scroller.scrollTop = top;
    else if (top + this.rowHeight > viewTop + viewHeight) this.scroller.scrollTop = top + this.rowHeight - viewHeight;
    this.update();
  }

  /** Rows one screen holds (for Page Up/Down). */
  get pageSize(): number {
    return Math.max(1, Math.floor((this.scroller.clientHeight - this.headerHeight) / this.rowHeight) - 1);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.update();
    });
  }

  private update(): void {
    const { first, last } = this.visibleRange;
    if (first === this.first && last === this.last) return;
    this.first = first;
    this.last = last;
    this.render(first, last);
  }
}
