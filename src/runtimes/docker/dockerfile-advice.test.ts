import { describe, expect, it } from 'vitest';
import { adviseDockerfile, parseDockerfile } from './dockerfile-advice.js';

const all = () => true;

describe('adviseDockerfile', () => {
  it('spots a whole-context COPY before npm ci and suggests copying the manifests first', () => {
    const text = ['FROM node:20', 'WORKDIR /app', 'COPY . .', 'RUN npm ci', 'CMD ["node", "server.js"]'].join(
      '\n',
    );
    const has = (f: string) => f === 'package.json' || f === 'package-lock.json';
    expect(adviseDockerfile(text, has)).toEqual([
      {
        copyLine: 3,
        installLine: 4,
        tool: 'npm',
        message: expect.stringContaining('line 3 copies the whole build context before line 4 installs npm'),
        suggestion: ['COPY package.json package-lock.json ./', 'RUN npm ci', 'COPY . .'],
      },
    ]);
  });

  it('suggests go mod download for a Go build, keeping the COPY destination and flags', () => {
    const text =
      'FROM golang AS build\nCOPY --chown=1000 . /src\nRUN cd /src && \\\n  go build -o /out/api .\n';
    const [advice] = adviseDockerfile(text, all);
    expect(advice?.installLine).toBe(3);
    expect(advice?.suggestion).toEqual([
      'COPY --chown=1000 go.mod go.sum /src/',
      'RUN go mod download',
      'COPY --chown=1000 . /src',
    ]);
  });

  it('says nothing when dependencies are already installed before the code is copied', () => {
    const text = 'FROM node:20\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n';
    expect(adviseDockerfile(text, all)).toEqual([]);
  });

  it('says nothing with a cache mount, without manifests in the context, or for COPY --from', () => {
    expect(
      adviseDockerfile('FROM node\nCOPY . .\nRUN --mount=type=cache,target=/root/.npm npm ci\n', all),
    ).toEqual([]);
    expect(adviseDockerfile('FROM node\nCOPY . .\nRUN npm ci\n', () => false)).toEqual([]);
    expect(adviseDockerfile('FROM scratch\nCOPY --from=build . .\nRUN npm ci\n', all)).toEqual([]);
  });

  it('looks at each stage on its own', () => {
    const text = 'FROM node AS deps\nCOPY . .\nFROM node\nRUN npm ci\n';
    expect(adviseDockerfile(text, all)).toEqual([]);
  });
});

describe('parseDockerfile', () => {
  it('joins continuation lines, skips comments, and keeps the first line number', () => {
    expect(parseDockerfile('# c\nFROM x\nRUN a \\\n  # inner\n  b\n')).toEqual([
      { line: 2, keyword: 'FROM', args: 'x' },
      { line: 3, keyword: 'RUN', args: 'a    b' },
    ]);
  });
});
