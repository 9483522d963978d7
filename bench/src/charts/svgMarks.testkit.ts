/** Reads a Vega SVG back for the chart tests: the marks' accessible labels and the texts shown. */
import { XMLParser } from "fast-xml-parser";

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  preserveOrder: true,
  trimValues: true,
});

const childrenOf = (node: XmlNode): XmlNode[] =>
  Object.entries(node).flatMap(([key, value]) =>
    key === ":@" || !Array.isArray(value) ? [] : (value as XmlNode[]),
  );

const attrsOf = (node: XmlNode) => (node[":@"] ?? {}) as Record<string, string>;

function walk(nodes: readonly XmlNode[], visit: (node: XmlNode, tag: string) => void): void {
  for (const node of nodes) {
    const tag = Object.keys(node).find((key) => key !== ":@") ?? "";
    visit(node, tag);
    walk(childrenOf(node), visit);
  }
}

export interface SvgMark {
  /** The mark group's class, e.g. "mark-symbol role-mark concat_0_layer_1_layer_1_marks". */
  readonly group: string;
  /** The items' aria-labels ("field: value; ..."). */
  readonly items: readonly string[];
}

/** The mark groups of type `type` (line, symbol, rule, text...) with their items' labels. */
export function marksOf(svg: string, type: string): SvgMark[] {
  const marks: SvgMark[] = [];
  walk(parser.parse(svg) as XmlNode[], (node, tag) => {
    const group = attrsOf(node)["@class"] ?? "";
    if (tag !== "g" || !group.startsWith(`mark-${type} role-mark`)) return;
    const items = childrenOf(node)
      .map((child) => attrsOf(child)["@aria-label"])
      .filter((label): label is string => label !== undefined);
    marks.push({ group, items });
  });
  return marks;
}

/** Every text shown (titles, axis labels, legends, text marks), a line of a multi-line one each. */
export function textsOf(svg: string): string[] {
  const texts: string[] = [];
  walk(parser.parse(svg) as XmlNode[], (node, tag) => {
    if (tag !== "text" && tag !== "tspan") return;
    for (const child of childrenOf(node)) {
      const text = child["#text"];
      if (text !== undefined) texts.push(String(text));
    }
  });
  return texts;
}
