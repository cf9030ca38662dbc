/** Whether the OS asks for reduced motion: scrolling jumps instead of gliding (CSS handles the rest). */
export function reducedMotion(): boolean {
  return typeof matchMedia === "function" && matchMedia("(prefers-reduced-motion: reduce)").matches;
}
