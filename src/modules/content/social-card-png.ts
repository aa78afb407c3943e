// The social card as PNG. Facebook, LinkedIn and X show no SVG previews, so a post without its own
// image needs its generated card as a raster image. Rasterising SVG takes a renderer package
// (`@resvg/resvg-js`: Rust's resvg, prebuilt binaries in the npm package, no system libraries);
// it is optional: when it is installed, cards are served as /blog/<slug>/card.png and named in
// og:image; when it is not, the SVG card stays (docs/blog.md).
import type { Logger } from 'pino';

export interface SvgRasteriser {
  /** A PNG of the SVG at its own size (the card is 1200 × 630). */
  png(svg: string): Promise<Buffer>;
}

/** The package's shape as used here (it ships its own types; it is not a dependency yet). */
interface ResvgModule {
  Resvg: new (svg: string, options?: Record<string, unknown>) => { render(): { asPng(): Buffer } };
}

const RESVG = '@resvg/resvg-js';

/** The resvg renderer when the package is installed, else null (the blog keeps its SVG cards). */
export async function loadSvgRasteriser(log?: Logger): Promise<SvgRasteriser | null> {
  let mod: ResvgModule;
  try {
    // A variable specifier: TypeScript does not look for the package, and a missing one is a clean null.
    mod = (await import(RESVG)) as ResvgModule;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') log?.warn({ err }, 'social cards: @resvg/resvg-js did not load; cards stay SVG');
    return null;
  }
  return {
    async png(svg) {
      // The card names system-ui/sans-serif: resvg resolves them among the system's fonts (a
      // server needs one installed, e.g. Debian's fonts-dejavu-core, or the text is not drawn).
      const resvg = new mod.Resvg(svg, { fitTo: { mode: 'width', value: 1200 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } });
      return resvg.render().asPng();
    },
  };
}
