// The pool of `examples/pooled-adapter.js` with its bug: a connection whose request timed out goes
// back to the pool while that request's reply is still coming, so the next request to borrow it
// reads the late reply — a value for another key. A positive control for user adapter modules:
//
//   crosswire run --cache ./examples/pooled-adapter-late-reply.js       # FAIL
//   crosswire explore --cache ./examples/pooled-adapter-late-reply.js   # finds and shrinks it

import { pooledAdapter } from './pooled-adapter.js';

export default pooledAdapter({
  id: 'example-pool-late-reply',
  description: 'example user adapter with a bug: a timed-out connection goes back to the pool with its reply still coming',
  discardOnTimeout: false,
});
