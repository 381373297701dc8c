/**
 * A small strict XML parser for the tests: elements, attributes, text, the five predefined
 * entities and numeric references, a prolog and comments. Anything not well-formed throws, so a
 * test that parses a file also proves it is well-formed XML.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const INVALID_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function decode(raw: string, where: string): string {
  if (INVALID_CHAR.test(raw)) throw new Error(`invalid XML character in ${where}`);
  if (/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error(`unescaped < or & in ${where}: ${raw.slice(0, 60)}`);
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, ref: string) =>
    ref.startsWith('#x') ? String.fromCodePoint(parseInt(ref.slice(2), 16)) : ref.startsWith('#') ? String.fromCodePoint(Number(ref.slice(1))) : ENTITIES[ref],
  );
}

export function parseXml(xml: string): XmlElement {
  let i = /^<\?xml[^?]*\?>\s*/.exec(xml)?.[0].length ?? 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < xml.length) {
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('</', i)) {
      const m = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(xml.slice(i));
      if (!m) throw new Error(`bad closing tag at ${i}`);
      const open = stack.pop();
      if (!open || open.name !== m[1]) throw new Error(`</${m[1]}> does not close <${open?.name}>`);
      i += m[0].length;
    } else if (xml[i] === '<') {
      const m = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(xml.slice(i));
      if (!m) throw new Error(`bad tag at ${i}: ${xml.slice(i, i + 60)}`);
      const attributes: Record<string, string> = {};
      for (const a of m[2].matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        if (a[1] in attributes) throw new Error(`duplicate attribute ${a[1]} on <${m[1]}>`);
        attributes[a[1]] = decode(a[2] ?? a[3], `attribute ${a[1]}`);
      }
      const el: XmlElement = { name: m[1], attributes, children: [], text: '' };
      if (stack.length > 0) stack[stack.length - 1].children.push(el);
      else if (root) throw new Error('more than one root element');
      else root = el;
      if (m[3] !== '/') stack.push(el);
      i += m[0].length;
    } else {
      const end = xml.indexOf('<', i);
      const raw = xml.slice(i, end < 0 ? xml.length : end);
      if (stack.length === 0) {
        if (raw.trim() !== '') throw new Error('text outside the root element');
      } else stack[stack.length - 1].text += decode(raw, `<${stack[stack.length - 1].name}>`);
      i = end < 0 ? xml.length : end;
    }
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1].name}> is not closed`);
  if (!root) throw new Error('no root element');
  return root;
}
