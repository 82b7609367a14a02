import { Column, CreateDateColumn } from 'typeorm';

// Every moment is stored as `timestamptz`, and every column is named in
// snake_case: these say so once, for the columns the services share.

/** When the row was inserted: `created_at`, filled in by the database. */
export function CreatedAtColumn(): PropertyDecorator {
  return CreateDateColumn({ name: 'created_at', type: 'timestamptz' });
}

/** A moment; `nullable` where it may not have come yet (e.g. `revoked_at`). */
export function TimestampColumn(name: string, options: { nullable?: true; default?: () => string } = {}): PropertyDecorator {
  return Column({ name, type: 'timestamptz', ...options });
}
