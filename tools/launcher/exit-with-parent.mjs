// Preloaded with `node --import` into the receiver and the worker when the launcher runs them.
// The launcher holds the other end of their stdin; when that closes (the launcher ended, even
// by SIGKILL) the app gets the SIGTERM a Deployment would send and shuts down its own way.
// The handle is unref'd so it never keeps an app alive that has finished on its own.
let signalled = false;

function endWithParent() {
  if (signalled) return;
  signalled = true;
  process.kill(process.pid, 'SIGTERM');
}

process.stdin.on('end', endWithParent);
process.stdin.on('close', endWithParent);
process.stdin.on('error', endWithParent);
process.stdin.resume();
process.stdin.unref();
