// Test function for the nodejs runtimes: a CommonJS .js module (no
// package.json "type": "module") with a nested handler path.
module.exports.api = {
  handler: async (event, context) => ({ runtime: 'node-legacy', requestId: context.awsRequestId, event }),
};
