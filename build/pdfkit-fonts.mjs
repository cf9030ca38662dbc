// pdfkit loads its standard fonts (Helvetica…) through a require it makes at run time (createRequire),
// which a bundle cannot follow, and the packaged app ships no node_modules: point those requires at the
// fonts' own modules, so esbuild bundles them with the rest.
import { readFile } from "node:fs/promises";

export const pdfkitFonts = {
  name: "pdfkit-fonts",
  setup(build) {
    build.onLoad({ filter: /pdfkit[\\/]js[\\/]pdfkit\.node\.mjs$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const contents = source.replace(
        /require\$1\('#standard-fonts\/(\w+)'\)/g,
        "require('pdfkit/standard-fonts/$1')",
      );
      if (contents === source) throw new Error("pdfkit-fonts: pdfkit no longer loads its fonts as expected");
      return { contents, loader: "js" };
    });
  },
};
