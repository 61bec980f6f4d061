// Original file: proto/eddy/v1/master.proto

import type { RuntimeSpec as _eddy_v1_RuntimeSpec, RuntimeSpec__Output as _eddy_v1_RuntimeSpec__Output } from '../../eddy/v1/RuntimeSpec.js';
import type { CredentialVerifier as _eddy_v1_CredentialVerifier, CredentialVerifier__Output as _eddy_v1_CredentialVerifier__Output } from '../../eddy/v1/CredentialVerifier.js';

export interface RegisterWorkerResponse {
  'heartbeatIntervalMs'?: (number);
  'runtime'?: (_eddy_v1_RuntimeSpec | null);
  'verifiers'?: (_eddy_v1_CredentialVerifier)[];
}

export interface RegisterWorkerResponse__Output {
  'heartbeatIntervalMs': (number);
  'runtime': (_eddy_v1_RuntimeSpec__Output | null);
  'verifiers': (_eddy_v1_CredentialVerifier__Output)[];
}
