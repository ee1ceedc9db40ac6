// XML read back as a tree by a strict, conforming parser (saxes): a document that is not well-formed
// throws, so a test that reads a report proves it is XML before it looks inside.
import { SaxesParser } from 'saxes';

export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  text: string;
}

export function parseXml(xml: string): XmlNode {
  const parser = new SaxesParser();
  const root: XmlNode = { name: '#document', attributes: {}, children: [], text: '' };
  const open: XmlNode[] = [root];
  parser.on('error', (e) => {
    throw e;
  });
  parser.on('opentag', (t) => {
    const node: XmlNode = { name: t.name, attributes: t.attributes as Record<string, string>, children: [], text: '' };
    open.at(-1)!.children.push(node);
    open.push(node);
  });
  parser.on('text', (t) => {
    open.at(-1)!.text += t;
  });
  parser.on('closetag', () => {
    open.pop();
  });
  parser.write(xml).close();
  if (root.children.length !== 1) throw new Error(`${root.children.length} root elements`);
  return root.children[0]!;
}

/** The children of `node` named `name`. */
export const childrenNamed = (node: XmlNode, name: string) => node.children.filter((c) => c.name === name);
