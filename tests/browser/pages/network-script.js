// The network page through the global of <script src="/dist/attune.js">.
import { install } from './network-workout.js';

install(window.Attune.createEngine);
