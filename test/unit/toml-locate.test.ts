// The TOML locator: where a key path is written in the text, for error positions.
import { describe, expect, it } from 'vitest';
import { locate } from '../../appliance/toml-locate.ts';

describe('toml-locate', () => {
  const at = (text: string, ...p: (string | number)[]) => {
    const { line, column } = locate(text, p);
    return `${line}:${column}`;
  };

  it('finds headers, keys, dotted and quoted keys, inline tables and array elements', () => {
    const text = [
      'top = 1  # [not.a.header]',
      '[a]',
      'b.c = { d = 1, "e.f" = [10, { g = 2 }] }',
      '[ "x" . \'y\' ]',
      'z = """',
      '[fake]',
      'k = 1',
      '"""',
      '"q\\u0041" = 1',
      'arr = [',
      '  1, # ]',
      '  "two",',
      ']',
    ].join('\n');
    expect(at(text, 'top')).toBe('1:1');
    expect(at(text, 'not')).toBe('1:1');
    expect(at(text, 'a')).toBe('2:1');
    expect(at(text, 'a', 'b')).toBe('3:1');
    expect(at(text, 'a', 'b', 'c')).toBe('3:3');
    expect(at(text, 'a', 'b', 'c', 'd')).toBe('3:9');
    expect(at(text, 'a', 'b', 'c', 'e.f')).toBe('3:16');
    expect(at(text, 'a', 'b', 'c', 'e.f', 1)).toBe('3:29');
    expect(at(text, 'a', 'b', 'c', 'e.f', 1, 'g')).toBe('3:31');
    expect(at(text, 'x', 'y')).toBe('4:1');
    expect(at(text, 'x', 'y', 'z')).toBe('5:1');
    expect(at(text, 'fake')).toBe('1:1');
    expect(at(text, 'x', 'y', 'k')).toBe('4:1');
    expect(at(text, 'x', 'y', 'qA')).toBe('9:1');
    expect(at(text, 'x', 'y', 'arr', 1)).toBe('12:3');
    expect(at(text, 'a', 'missing', 'deeper')).toBe('2:1');
  });

  it('a key of 20,000 dotted parts: each part found where it is written', () => {
    const parts = Array.from({ length: 20_000 }, (_, i) => `k${i % 10}`);
    const key = parts.join('.');
    const text = `top = 1\n${key} = [1, 2]\n`;
    expect(at(text, ...parts)).toBe(`2:${key.lastIndexOf('.') + 2}`);
    expect(at(text, ...parts, 1)).toBe(`2:${key.length + ' = [1, '.length + 1}`);
    expect(at(text, ...parts.slice(0, 2), 'missing')).toBe('2:4');
  });

  it('follows arrays of tables', () => {
    const text = '[[srv]]\nname = "a"\n[[srv]]\nname = "b"\n[srv.opts]\nx = 1\n';
    expect([at(text, 'srv'), at(text, 'srv', 0, 'name'), at(text, 'srv', 1, 'name'), at(text, 'srv', 1, 'opts', 'x')]).toEqual([
      '1:1',
      '2:1',
      '4:1',
      '6:1',
    ]);
  });
});
