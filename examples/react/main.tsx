import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App model="tickets" tickets={['My invoice is charged twice', 'The app crashes when I press save', 'Please add a dark mode']} />
  </StrictMode>,
);
