// jstat ships CommonJS without type declarations; these cover the distributions plumb uses.
declare module 'jstat' {
  interface ContinuousDistribution {
    cdf(x: number, ...params: number[]): number;
    inv(p: number, ...params: number[]): number;
    pdf(x: number, ...params: number[]): number;
  }
  interface DiscreteDistribution {
    cdf(k: number, ...params: number[]): number;
    pdf(k: number, ...params: number[]): number;
  }
  interface JStatStatic {
    studentt: ContinuousDistribution;
    normal: ContinuousDistribution;
    centralF: ContinuousDistribution;
    chisquare: ContinuousDistribution;
    beta: ContinuousDistribution;
    binomial: DiscreteDistribution;
  }
  const jStat: JStatStatic;
  export default jStat;
}
