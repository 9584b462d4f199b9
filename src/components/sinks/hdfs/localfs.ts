/**
 * `file://` hdfs.paths (and scheme-less paths without hdfs.webhdfs.address: Hadoop's default fs.defaultFS is
 * file:///): the same calls as the WebHDFS client, on the local filesystem, so the sink's bucketing, rolling,
 * in-use names and renames work unchanged. Like Hadoop's LocalFileSystem, create makes the parent directories and
 * refuses an existing file, and rename refuses an existing destination. Writes reach the OS (no fsync), as
 * Hadoop's hflush on a local file. Hadoop's .crc checksum side files are not written.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { WebHdfsError, type FileStatus, type HdfsClient } from './webhdfs.js';

const fail = (what: string, p: string, err: unknown, uncertain: boolean): never => {
  const e = err as NodeJS.ErrnoException;
  const exception = e.code === 'EEXIST' ? 'FileAlreadyExistsException' : e.code === 'ENOENT' ? 'FileNotFoundException' : 'IOException';
  throw new WebHdfsError(`${what} ${p} on the local filesystem failed: ${e.message}`, undefined, exception, uncertain, { cause: err });
};

function status(name: string, st: import('node:fs').Stats): FileStatus {
  return { pathSuffix: name, type: st.isDirectory() ? 'DIRECTORY' : 'FILE', length: st.size, modificationTime: st.mtimeMs, replication: 1 };
}

export class LocalFsClient implements HdfsClient {
  async create(p: string, data: Buffer, opts: { overwrite?: boolean } = {}): Promise<void> {
    try {
      await fsp.mkdir(path.dirname(p), { recursive: true });
      await fsp.writeFile(p, data, { flag: opts.overwrite ? 'w' : 'wx' });
    } catch (err) {
      fail('CREATE', p, err, (err as NodeJS.ErrnoException).code !== 'EEXIST');
    }
  }

  async append(p: string, data: Buffer): Promise<void> {
    try {
      const fh = await fsp.open(p, 'r+'); // like HDFS APPEND: the file must exist
      try {
        await fh.write(data, 0, data.length, (await fh.stat()).size);
      } finally {
        await fh.close();
      }
    } catch (err) {
      fail('APPEND', p, err, true);
    }
  }

  async mkdirs(p: string): Promise<boolean> {
    await fsp.mkdir(p, { recursive: true }).catch((err) => fail('MKDIRS', p, err, false));
    return true;
  }

  async rename(src: string, dst: string): Promise<boolean> {
    try {
      await fsp.access(dst);
      return false; // Hadoop's rename does not overwrite
    } catch {
      /* destination free */
    }
    try {
      await fsp.mkdir(path.dirname(dst), { recursive: true });
      await fsp.rename(src, dst);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      return fail('RENAME', src, err, false);
    }
  }

  async getFileStatus(p: string): Promise<FileStatus | undefined> {
    try {
      return status('', await fsp.stat(p));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return fail('GETFILESTATUS', p, err, false);
    }
  }

  async listStatus(p: string): Promise<FileStatus[]> {
    let names: string[];
    try {
      names = await fsp.readdir(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      return fail('LISTSTATUS', p, err, false);
    }
    return Promise.all(names.map(async (n) => status(n, await fsp.stat(path.join(p, n)))));
  }

  async delete(p: string, recursive = false): Promise<boolean> {
    try {
      await fsp.rm(p, { recursive, force: false });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      return fail('DELETE', p, err, false);
    }
  }

  async truncate(p: string, newLength: number): Promise<boolean> {
    await fsp.truncate(p, newLength).catch((err) => fail('TRUNCATE', p, err, false));
    return true;
  }

  /** Local files have no lease: never left open by a writer that died. */
  async isOpenForWrite(_p: string): Promise<boolean> {
    return false;
  }

  async open(p: string): Promise<Buffer> {
    return fsp.readFile(p).catch((err) => fail('OPEN', p, err, false));
  }

  destroy(): void {}
}
