import { EMPTY, Observable, combineLatest, defer, forkJoin, map, merge, of, throwError } from 'rxjs';
import type { EventsApi, ImagesApi, InvokeAIClient, QueueApi } from '../../../src/client/types.js';
import type { DeleteImagesResult } from '../../../src/schemas/image.js';
import type { PoolDispatcher } from './PoolDispatcher.js';

/**
 * The InvokeAIClient a pool hands to stage operators: image calls go to the server the image was
 * made on (unknown images: the first server that is up; deletions: every server that is up),
 * models and boards to the first server that is up, events are merged. Its queue refuses every
 * call: jobs go through `pool.run`, which picks the server.
 */
export function createPoolClient(clients: readonly InvokeAIClient[], dispatcher: PoolDispatcher): InvokeAIClient {
  const first = (): InvokeAIClient => dispatcher.upClients()[0] ?? clients[0]!;
  const byImage = (name: string): InvokeAIClient => dispatcher.ownerOf(name) ?? first();
  const deferTo = <T>(pick: () => InvokeAIClient, call: (c: InvokeAIClient) => Observable<T>): Observable<T> => defer(() => call(pick()));

  const images: ImagesApi = {
    upload: (data, options) => deferTo(first, (c) => c.images.upload(data, options)),
    get: (name) => deferTo(() => byImage(name), (c) => c.images.get(name)),
    download: (name) => deferTo(() => byImage(name), (c) => c.images.download(name)),
    blob: (name, options) => deferTo(() => byImage(name), (c) => c.images.blob(name, options)),
    downloadThumbnail: (name) => deferTo(() => byImage(name), (c) => c.images.downloadThumbnail(name)),
    delete: (name) => deferTo(() => byImage(name), (c) => c.images.delete(name)),
    deleteMany: (names) => defer(() => deleteMany(names)),
    star: (names) => deferTo(() => byImage(names[0] ?? ''), (c) => c.images.star(names)),
    unstar: (names) => deferTo(() => byImage(names[0] ?? ''), (c) => c.images.unstar(names)),
  };

  /** One `deleteMany` per server holding some of the names; names of unknown origin go to every server that is up. */
  function deleteMany(names: readonly string[]): Observable<DeleteImagesResult> {
    const groups = new Map<InvokeAIClient, string[]>();
    const unknown: string[] = [];
    for (const name of names) {
      const owner = dispatcher.ownerOf(name);
      if (owner) groups.set(owner, [...(groups.get(owner) ?? []), name]);
      else unknown.push(name);
    }
    if (unknown.length > 0) {
      for (const c of dispatcher.upClients()) groups.set(c, [...(groups.get(c) ?? []), ...unknown]);
    }
    if (groups.size === 0) return of({ affected_boards: [], deleted_images: [] });
    return forkJoin([...groups].map(([c, group]) => c.images.deleteMany(group))).pipe(
      map((results) => ({
        affected_boards: [...new Set(results.flatMap((r) => r.affected_boards))],
        deleted_images: [...new Set(results.flatMap((r) => r.deleted_images))],
        failed_images: results.flatMap((r) => r.failed_images ?? []).filter((n) => !results.some((r) => r.deleted_images.includes(n))),
      })),
    );
  }

  const refuse = (): Observable<never> =>
    throwError(() => new TypeError('A pool has no single queue: run jobs with pool.run (or pass `run: pool.run` to a stage).'));
  const queue: QueueApi = {
    enqueueBatch: refuse,
    getItem: refuse,
    cancelItem: refuse,
    cancelByBatchIds: refuse,
    getBatchStatus: refuse,
    getStatus: refuse,
    getItems: refuse,
    listAll: refuse,
    cancelByDestination: refuse,
  };

  const events: EventsApi = {
    on: (event) => merge(...clients.map((c) => c.events.on(event))),
    connected$: clients.length === 0 ? EMPTY : combineLatest(clients.map((c) => c.events.connected$)).pipe(map((all) => all.some(Boolean))),
  };

  return {
    config: first().config,
    queue,
    images,
    boards: {
      listAll: () => deferTo(first, (c) => c.boards.listAll()),
      create: (name) => deferTo(first, (c) => c.boards.create(name)),
      findOrCreate: (name) => deferTo(first, (c) => c.boards.findOrCreate(name)),
      imageNames: (id) => deferTo(first, (c) => c.boards.imageNames(id)),
      addImage: (id, name) => deferTo(() => byImage(name), (c) => c.boards.addImage(id, name)),
      removeImage: (name) => deferTo(() => byImage(name), (c) => c.boards.removeImage(name)),
    },
    models: { list: (filter) => deferTo(first, (c) => c.models.list(filter)) },
    app: {
      version: () => deferTo(first, (c) => c.app.version()),
      authStatus: () => deferTo(first, (c) => c.app.authStatus()),
      openapi: () => deferTo(first, (c) => c.app.openapi()),
      fieldTable: () => deferTo(first, (c) => c.app.fieldTable()),
    },
    events,
    close: () => {
      for (const c of clients) c.close();
    },
  };
}
