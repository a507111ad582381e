// Content that may be wider than its box (the confusion matrix on a phone) scrolls sideways; this marks the box
// .overflowing while it does, so the page can show that there is more (a fading edge and a line of text).
export function watchOverflow(box) {
  const check = () => box.classList.toggle("overflowing", box.scrollWidth > box.clientWidth + 1);
  new ResizeObserver(check).observe(box);
  new MutationObserver(check).observe(box, { childList: true, subtree: true });
  check();
}
