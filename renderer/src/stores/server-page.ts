import { useInventoryStore } from "./inventory.js";
import { useNavigationStore } from "./navigation.js";
import { useServersStore } from "./servers.js";

/**
 * Which page a server name opens: a configured server's detail (by its inventory id), else the page of a
 * server seen only in recorded traffic; none for a name neither knows.
 */
export function useServerPage() {
  const inventory = useInventoryStore();
  const recorded = useServersStore();
  const nav = useNavigationStore();

  function idOf(name: string): string | undefined {
    return inventory.servers.find((s) => s.name === name)?.id;
  }

  function hasPage(name: string | null): boolean {
    return name !== null && (idOf(name) !== undefined || recorded.names.includes(name));
  }

  function open(name: string): void {
    const id = idOf(name);
    if (id) nav.openServer(id);
    else if (recorded.names.includes(name)) nav.openSeenServer(name);
  }

  return { hasPage, open };
}
