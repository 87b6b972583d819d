import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LineIndex, pointAt } from '../../server/src/text/positions.js';

/** Every offset of `text` goes to a position and back to itself, as an independent LSP implementation agrees. */
function expectAgreesWithTextDocument(text: string): void {
  const index = new LineIndex(text);
  const oracle = TextDocument.create('file:///x', 'plaintext', 1, text);
  for (let offset = 0; offset <= text.length; offset++) {
    const position = index.positionAt(offset);
    const insideCrlf = text[offset - 1] === '\r' && text[offset] === '\n';
    if (!insideCrlf) {
      expect(position, `offset ${offset}`).toEqual(oracle.positionAt(offset));
      expect(index.offsetAt(position)).toBe(offset);
    }
  }
}

describe('LineIndex', () => {
  it('counts \\n, \\r\\n and a lone \\r as line breaks', () => {
    const index = new LineIndex('a\nb\r\nc\rd');
    expect(index.lineCount).toBe(4);
    expect(index.positionAt(7)).toEqual({ line: 3, character: 0 });
    expect(index.offsetAt({ line: 2, character: 0 })).toBe(5);
  });

  it('agrees with vscode-languageserver-textdocument on CRLF text', () => {
    expectAgreesWithTextDocument('def f():\r\n    return 1\r\n\r\ndef g():\r\n    pass\r\n');
  });

  it('agrees with vscode-languageserver-textdocument on CR-only text', () => {
    expectAgreesWithTextDocument('function f() {\r  return 1;\r}\r\rfunction g() {}\r');
  });

  it('counts a tab as one character', () => {
    const index = new LineIndex('func f() {\n\t\treturn\n}');
    expect(index.positionAt(13)).toEqual({ line: 1, character: 2 });
    expectAgreesWithTextDocument('func f() {\n\t\treturn\n}');
  });

  it('counts non-ASCII BMP characters as one UTF-16 unit each', () => {
    const text = 'café = "naïve"\nπ = 3.14';
    expect(new LineIndex(text).positionAt(text.indexOf('π') + 1)).toEqual({ line: 1, character: 1 });
    expectAgreesWithTextDocument(text);
  });

  it('counts an astral-plane character as two UTF-16 units (a surrogate pair)', () => {
    const text = 'x = "😀😀"\r\ndef 𝒻():\r\n    pass';
    const index = new LineIndex(text);
    expect(index.positionAt(text.indexOf('():'))).toEqual({ line: 1, character: 6 });
    expect(index.offsetAt({ line: 0, character: 9 })).toBe(9);
    expectAgreesWithTextDocument(text);
  });

  it('clamps a character past the end of a line to the end of that line, before the break', () => {
    const index = new LineIndex('ab\r\ncd');
    expect(index.offsetAt({ line: 0, character: 99 })).toBe(2);
    expect(index.offsetAt({ line: 9, character: 0 })).toBe(6);
    expect(index.positionAt(3)).toEqual({ line: 0, character: 2 });
  });

  it('turns a span into a range', () => {
    const text = 'a\r\n😀name';
    const index = new LineIndex(text);
    const start = text.indexOf('name');
    expect(index.rangeOf({ start, end: start + 4 })).toEqual({
      start: { line: 1, character: 2 },
      end: { line: 1, character: 6 },
    });
  });
});

describe('pointAt', () => {
  it('counts rows by \\n only, so a lone \\r stays on the row as tree-sitter sees it', () => {
    const text = 'a\rb\r\nc😀d';
    expect(pointAt(text, 2)).toEqual({ row: 0, column: 2 });
    expect(pointAt(text, 5)).toEqual({ row: 1, column: 0 });
    expect(pointAt(text, text.indexOf('d'))).toEqual({ row: 1, column: 3 });
  });

  it('places an offset right after a \\n at the start of the next row', () => {
    expect(pointAt('x\n', 2)).toEqual({ row: 1, column: 0 });
    expect(pointAt('x\n', 1)).toEqual({ row: 0, column: 1 });
  });
});
