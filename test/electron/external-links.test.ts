/** External links through a fake shell: the allow-list opens at once, anything else asks first. */
import { describe, expect, it, vi } from "vitest";
import { confirmLinkDialog, createLinkOpener, isTrustedLink } from "../../electron/main/external-links.js";

function shell(answer: boolean) {
  return {
    confirm: vi.fn(async (_url: string) => answer),
    open: vi.fn(async (_url: string) => {}),
    warn: vi.fn(),
  };
}

describe("external links", () => {
  it("open a trusted https link without asking", async () => {
    const s = shell(false);
    expect(await createLinkOpener(s)("https://modelcontextprotocol.io/specification")).toBe("opened");
    expect(s.confirm).not.toHaveBeenCalled();
    expect(s.open).toHaveBeenCalledWith("https://modelcontextprotocol.io/specification");
  });

  it("ask before any other link, and open it only when the user agrees", async () => {
    const declined = shell(false);
    expect(await createLinkOpener(declined)("https://evil.example/login")).toBe("declined");
    expect(declined.confirm).toHaveBeenCalledWith("https://evil.example/login");
    expect(declined.open).not.toHaveBeenCalled();
    const agreed = shell(true);
    expect(await createLinkOpener(agreed)("http://github.com/x")).toBe("opened");
    expect(agreed.open).toHaveBeenCalledWith("http://github.com/x");
  });

  it("never open other schemes, asked or not", async () => {
    const s = shell(true);
    for (const url of ["file:///etc/passwd", "javascript:alert(1)", "vscode://file/x", "smb://host/share"])
      expect(await createLinkOpener(s)(url)).toBe("refused");
    expect(s.confirm).not.toHaveBeenCalled();
    expect(s.open).not.toHaveBeenCalled();
  });

  it("trust only the listed hosts over https, not look-alikes", () => {
    expect(isTrustedLink("https://github.com/modelcontextprotocol")).toBe(true);
    expect(isTrustedLink("https://www.modelcontextprotocol.io/")).toBe(true);
    for (const url of [
      "http://github.com/",
      "https://github.com.evil.example/",
      "https://evilgithub.com/",
      "https://user:pw@github.com/",
      "https://github.com:8443/",
    ])
      expect([url, isTrustedLink(url)]).toEqual([url, false]);
  });

  it("the question defaults to Cancel and shows the whole link", () => {
    const options = confirmLinkDialog("https://evil.example/a?b=c");
    expect(options.buttons[options.defaultId]).toBe("Cancel");
    expect(options.cancelId).toBe(options.defaultId);
    expect(options.detail).toContain("https://evil.example/a?b=c");
  });
});
