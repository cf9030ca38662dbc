/**
 * The page background of the app's two colour schemes. The renderer paints it (`--bg` in
 * renderer/src/styles/tokens.css, which a test holds to these values); the desktop window is created in
 * the same colour, so no flash of another colour shows before the first paint.
 */
export const PAGE_BACKGROUND = { light: "#f5f5f7", dark: "#18191c" } as const;

export type ColourScheme = keyof typeof PAGE_BACKGROUND;
