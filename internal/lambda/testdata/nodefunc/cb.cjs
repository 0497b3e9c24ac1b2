// Test function for the nodejs runtimes: a CommonJS callback handler.
exports.handler = function (event, context, callback) {
  if (event && event.action === 'error') {
    callback(new RangeError('callback boom'));
    return;
  }
  setTimeout(() => callback(null, { runtime: 'node-cb', requestId: context.awsRequestId, event }), 1);
};
