/** A tiny element builder: the app is plain DOM (no framework), so the bundle stays MapLibre plus a few kB. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replaces the children of `el`. */
export function mount(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren(...children.flat().filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false).map((c) => (c instanceof Node ? c : String(c))));
}

let uid = 0;
export const nextId = (prefix: string) => `${prefix}-${++uid}`;

/** A labelled form control (label + control). */
export function field(label: string, control: HTMLElement): HTMLElement {
  const id = control.id || nextId('f');
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

/** A coloured swatch; the colour is set through the CSSOM (allowed by the app's CSP, unlike style attributes). */
export function swatch(colour: string, shape: 'dot' | 'box' | 'ring' = 'box'): HTMLElement {
  const el = h('span', { class: `swatch ${shape}`, 'aria-hidden': 'true' });
  if (shape === 'ring') el.style.borderColor = colour;
  else el.style.background = colour;
  return el;
}
