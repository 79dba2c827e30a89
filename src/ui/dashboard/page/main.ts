// The page's entry: one store, one event stream, one render.

import { html } from 'htm/preact';
import { render } from 'preact';
import { App } from './app.js';
import { connect } from './connection.js';
import { Store } from './store.js';

const store = new Store();
connect(store);
const root = document.getElementById('app');
if (root) render(html`<${App} store=${store} />`, root);
