export * from './s3-server.js';
export * from './net.js';
export * from './tls-fixture.js';
export * from './s3-dataset-manifests.js';
export * from './prometheus-server.js';
export * from './headless-chromium.js';
export * from './kube-test-cluster.js';
