import * as assert from 'node:assert/strict';
import { isPercentScript, parseCells, PipelineCell } from '../../../src/core/pipelines/cellParser';

const PIPELINE = [
  'import pandas as pd', //                        1
  '', //                                           2
  '# %% tags=["parameters"]', //                   3
  'alpha = 0.5', //                                4
  'epochs = 10', //                                5
  '', //                                           6
  '# %% [markdown]', //                            7
  '# # Load data', //                              8
  '#', //                                          9
  '# The *iris* set.', //                          10
  '', //                                           11
  '# %% Load data', //                             12
  '', //                                           13
  'df = pd.read_csv("iris.csv")', //               14
  'print(len(df))', //                             15
  '', //                                           16
  '', //                                           17
  '#%%', //                                        18
  'raise ValueError("boom")', //                   19
].join('\n');

/** The file line of the source line that contains `needle`, computed the way a traceback is mapped. */
function fileLineOf(cell: PipelineCell, needle: string): number {
  const index = cell.source.split('\n').findIndex((line) => line.includes(needle));
  assert.notEqual(index, -1, `${needle} is in the cell`);
  return cell.sourceStartLine + index;
}

describe('parseCells', () => {
  it('splits a pipeline into code, parameters and markdown cells with titles', () => {
    const cells = parseCells(PIPELINE);
    assert.deepEqual(
      cells.map((cell) => [cell.index, cell.kind, cell.title, cell.isParameters]),
      [
        [0, 'code', '', false],
        [1, 'code', '', true],
        [2, 'markdown', '', false],
        [3, 'code', 'Load data', false],
        [4, 'code', '', false],
      ],
    );
    assert.equal(cells[0].source, 'import pandas as pd');
    assert.equal(cells[0].markerLine, undefined);
    assert.deepEqual(cells[1].tags, ['parameters']);
    assert.equal(cells[1].source, 'alpha = 0.5\nepochs = 10');
    assert.equal(cells[2].source, '# Load data\n\nThe *iris* set.');
    assert.equal(cells[3].source, 'df = pd.read_csv("iris.csv")\nprint(len(df))');
  });

  it('maps marker lines and every source line back to the file precisely', () => {
    const lines = PIPELINE.split('\n');
    const cells = parseCells(PIPELINE);
    assert.deepEqual(
      cells.map((cell) => [cell.markerLine, cell.startLine, cell.endLine, cell.sourceStartLine]),
      [
        [undefined, 1, 1, 1],
        [3, 3, 5, 4],
        [7, 7, 10, 8],
        [12, 12, 15, 14],
        [18, 18, 19, 19],
      ],
    );
    for (const cell of cells) {
      if (cell.markerLine !== undefined) assert.match(lines[cell.markerLine - 1], /^#\s*%%/);
      if (cell.kind !== 'code') continue;
      cell.source.split('\n').forEach((line, k) => assert.equal(lines[cell.sourceStartLine + k - 1], line));
    }
    assert.equal(fileLineOf(cells[4], 'raise ValueError'), 19);
    assert.equal(fileLineOf(cells[3], 'print(len(df))'), 15);
  });

  it('counts lines the same with CRLF and CR line endings', () => {
    const expected = parseCells(PIPELINE);
    assert.deepEqual(parseCells(PIPELINE.replace(/\n/g, '\r\n')), expected);
    assert.deepEqual(parseCells(PIPELINE.replace(/\n/g, '\r')), expected);
  });

  it('recognises [parameters], single-quoted tag lists, several tags and other metadata', () => {
    const cells = parseCells(
      "# %% [parameters]\na = 1\n# %% Setup tags=['parameters', 'setup'] active=\"py\"\nb = 2\n# %% tags=[\"x\"]\nc = 3\n",
    );
    assert.equal(cells[0].isParameters, true);
    assert.deepEqual(cells[0].tags, []);
    assert.equal(cells[1].isParameters, true);
    assert.equal(cells[1].title, 'Setup');
    assert.deepEqual(cells[1].tags, ['parameters', 'setup']);
    assert.deepEqual(cells[1].metadata, { active: 'py' });
    assert.equal(cells[2].isParameters, false);
    assert.deepEqual(cells[2].tags, ['x']);
  });

  it('reads the cell type before or after a title, md and raw cells, and keeps other brackets in the title', () => {
    const cells = parseCells('# %% Intro [markdown]\n# Hello\n# %% [md] Notes\n# n\n# %% [raw]\n# {{ raw }}\n# %% Load [v2] data\nx = 1\n');
    assert.deepEqual(
      cells.map((cell) => [cell.kind, cell.title, cell.source]),
      [
        ['markdown', 'Intro', 'Hello'],
        ['markdown', 'Notes', 'n'],
        ['raw', '', '{{ raw }}'],
        ['code', 'Load [v2] data', 'x = 1'],
      ],
    );
  });

  it('reads a markdown cell written as a triple-quoted string', () => {
    const [cell] = parseCells('# %% [markdown]\n"""\n# Title\nText\n"""\n');
    assert.equal(cell.source, '# Title\nText');
    assert.equal(cell.sourceStartLine, 3);
  });

  it('keeps a cell with only a title, as an empty cell on its marker line', () => {
    const cells = parseCells('# %% Only a title\n\n# %% Next\nx = 1\n');
    assert.equal(cells.length, 2);
    assert.deepEqual(
      [cells[0].title, cells[0].source, cells[0].startLine, cells[0].endLine, cells[0].sourceStartLine],
      ['Only a title', '', 1, 1, 2],
    );
  });

  it('drops blank or Jupytext-header-only code before the first marker, keeps real code', () => {
    assert.equal(parseCells('\n\n# %%\nx = 1\n').length, 1);
    const header = '# ---\n# jupyter:\n#   kernelspec:\n#     name: python3\n# ---\n\n# %%\nx = 1\n';
    assert.deepEqual(parseCells(header).map((cell) => cell.source), ['x = 1']);
    const [first] = parseCells('#!/usr/bin/env python\nimport os\n# %%\nx = 1\n');
    assert.equal(first.source, '#!/usr/bin/env python\nimport os');
  });

  it('does not take `# %%` inside a line, an indented one, or `# %%magic` for a marker', () => {
    const text = 'x = "# %% not a marker"\nif x:\n    # %% indented\n    pass\n# %%time\n';
    assert.equal(parseCells(text).length, 1);
    assert.equal(isPercentScript(text), false);
  });

  it('gives a script without markers as one code cell, and nothing for an empty file', () => {
    const [cell] = parseCells('print("hi")\n');
    assert.deepEqual([cell.kind, cell.source, cell.startLine, cell.endLine], ['code', 'print("hi")', 1, 1]);
    assert.deepEqual(parseCells(''), []);
    assert.deepEqual(parseCells('\n  \n'), []);
  });

  it('keeps unicode in titles and sources', () => {
    const [cell] = parseCells('# %% Données 📊\nprint("é")\n');
    assert.equal(cell.title, 'Données 📊');
    assert.equal(cell.source, 'print("é")');
  });
});

describe('isPercentScript', () => {
  it('is true when at least one marker line exists, with or without a space', () => {
    assert.equal(isPercentScript('x = 1\n# %%\ny = 2\n'), true);
    assert.equal(isPercentScript('#%% Title\n'), true);
    assert.equal(isPercentScript('# %% [markdown]\r\n# hi\r\n'), true);
    assert.equal(isPercentScript('print("# %%")\n'), false);
    assert.equal(isPercentScript(''), false);
  });
});
