/** The metadata fields the store reads or writes; everything else is carried through untouched. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  /** Set by the store on every object it returns (the etcd mod revision); never stored. */
  resourceVersion?: string;
  [field: string]: unknown;
}

/** Any JSON object with optional Kubernetes-style metadata. */
export interface StoredObject {
  metadata?: ObjectMeta;
  [field: string]: unknown;
}
