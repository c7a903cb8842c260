// The network page through the ES module entry.
import { createEngine } from '/js/index.js';
import { install } from './network-workout.js';

install(createEngine);
