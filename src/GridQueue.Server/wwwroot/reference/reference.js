// Renders the server's OpenAPI document as a list of operations and schemas. Text from the document is only ever
// set as textContent, never parsed as HTML.

const documentUrl = document.querySelector('script[data-document]').dataset.document;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

const refName = (ref) => ref.split('/').pop();

// A schema as a short type: a link for a $ref, "string | null", "array of Task", the enum's values.
function typeOf(schema) {
  if (!schema) return el('span', { class: 'muted', text: '—' });
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return el('a', { href: `#schema-${name}`, class: 'mono', text: name });
  }
  const variants = schema.oneOf || schema.anyOf;
  if (variants) return el('span', {}, variants.flatMap((v, i) => (i ? [' | ', typeOf(v)] : [typeOf(v)])));
  const types = Array.isArray(schema.type) ? schema.type : [schema.type || 'any'];
  const parts = types.map((t) => {
    if (t === 'array') return el('span', {}, 'array of ', typeOf(schema.items));
    if (t === 'object' && schema.additionalProperties) return el('span', {}, 'map of ', typeOf(schema.additionalProperties));
    return el('span', { class: 'mono', text: t });
  });
  const node = el('span', {}, parts.flatMap((p, i) => (i ? [' | ', p] : [p])));
  if (schema.enum) node.append(' ', el('span', { class: 'muted', text: `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}` }));
  const range = [schema.minimum !== undefined ? `≥ ${schema.minimum}` : null, schema.maximum !== undefined ? `≤ ${schema.maximum}` : null,
    schema.minLength !== undefined ? `≥ ${schema.minLength} chars` : null, schema.maxLength !== undefined ? `≤ ${schema.maxLength} chars` : null,
    schema.maxItems !== undefined ? `≤ ${schema.maxItems} items` : null].filter(Boolean);
  if (range.length) node.append(' ', el('span', { class: 'muted', text: `(${range.join(', ')})` }));
  return node;
}

function table(headings, rows) {
  return el('table', {},
    el('thead', {}, el('tr', {}, headings.map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c) => el('td', {}, c))))));
}

function contentCell(content) {
  if (!content) return el('span', { class: 'muted', text: 'no body' });
  return el('span', {}, Object.entries(content).flatMap(([type, media], i) => [i ? '; ' : '', el('code', { text: type }), ' ', typeOf(media.schema)]));
}

function renderOperation(path, method, op) {
  const id = `op-${op.operationId || `${method}-${path}`}`;
  const section = el('section', { class: 'operation', id, 'data-method': method.toUpperCase(), 'data-path': path },
    el('h3', {},
      el('span', { class: `method method-${method}`, text: method.toUpperCase() }),
      el('code', { text: path }),
      op.security && op.security.length ? el('span', { class: 'auth', text: 'bearer token' }) : el('span', { class: 'auth', text: 'no token' })),
    el('p', { text: op.summary || '' }),
    op.description ? el('p', { class: 'muted', text: op.description }) : null);

  if (op.parameters && op.parameters.length) {
    section.append(el('h4', { text: 'Parameters' }), table(['name', 'in', 'type', 'description'],
      op.parameters.map((p) => [el('code', { text: p.name }), `${p.in}${p.required ? ', required' : ''}`, typeOf(p.schema), p.description || ''])));
  }
  if (op.requestBody) {
    section.append(el('h4', { text: 'Request body' }), el('p', {}, contentCell(op.requestBody.content)));
  }
  const responses = Object.entries(op.responses || {});
  section.append(el('h4', { text: 'Responses' }), table(['status', 'body', 'when', 'headers'], responses.map(([status, r]) => [
    el('span', { class: Number(status) >= 400 ? 'status-error' : 'status-ok', text: status }),
    contentCell(r.content),
    r.description || '',
    Object.keys(r.headers || {}).join(', '),
  ])));
  return section;
}

function renderSchema(name, schema) {
  const section = el('section', { class: 'schema', id: `schema-${name}` }, el('h3', {}, el('code', { text: name })));
  if (schema.description) section.append(el('p', { class: 'muted', text: schema.description }));
  const required = new Set(schema.required || []);
  const properties = Object.entries(schema.properties || {});
  if (properties.length) {
    section.append(table(['field', 'type', 'required', 'description'],
      properties.map(([field, p]) => [el('code', { text: field }), typeOf(p), required.has(field) ? 'yes' : 'no', p.description || ''])));
  } else {
    section.append(el('p', {}, typeOf(schema)));
  }
  return section;
}

function render(doc) {
  document.getElementById('title').textContent = doc.info?.title || 'API reference';
  document.title = `${doc.info?.title || 'API'} reference`;
  document.getElementById('version').textContent = `version ${doc.info?.version || '?'} · OpenAPI ${doc.openapi}`;
  document.getElementById('description').textContent = doc.info?.description || '';

  const byTag = new Map((doc.tags || []).map((t) => [t.name, { description: t.description, operations: [] }]));
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const tag = (op.tags && op.tags[0]) || 'Other';
      if (!byTag.has(tag)) byTag.set(tag, { description: '', operations: [] });
      byTag.get(tag).operations.push([path, method, op]);
    }
  }

  const main = document.getElementById('main');
  const toc = el('ul');
  main.replaceChildren();
  for (const [tag, group] of byTag) {
    if (!group.operations.length) continue;
    main.append(el('h2', { id: `tag-${tag}`, text: tag }), group.description ? el('p', { class: 'muted', text: group.description }) : null);
    for (const [path, method, op] of group.operations) {
      const section = renderOperation(path, method, op);
      main.append(section);
      toc.append(el('li', {}, el('a', { href: `#${section.id}` }, el('span', { class: `method method-${method}`, text: method.toUpperCase() }), ' ', el('code', { text: path }))));
    }
  }
  main.append(el('h2', { id: 'schemas', text: 'Schemas' }));
  for (const [name, schema] of Object.entries(doc.components?.schemas || {})) main.append(renderSchema(name, schema));
  document.getElementById('toc').replaceChildren(toc);
}

try {
  const response = await fetch(documentUrl, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`${documentUrl} answered ${response.status}`);
  render(await response.json());
} catch (error) {
  document.getElementById('status').textContent = `Could not load the OpenAPI document: ${error.message}`;
}
