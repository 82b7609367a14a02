export const YARDSTICK_ENV = Symbol('YARDSTICK_ENV');
