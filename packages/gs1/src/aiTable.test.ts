import { describe, expect, it } from "vitest";
import {
  aiDefinition,
  aiMatches,
  isKeyQualifierSequence,
  isPrimaryKey,
  lengthMax,
  lengthMin,
} from "./aiTable.js";

describe("AI table", () => {
  it("holds the formats of the pharmaceutical AIs (General Specifications)", () => {
    const gtin = aiDefinition("01");
    expect(gtin && [lengthMin(gtin), lengthMax(gtin)]).toEqual([14, 14]);
    const serial = aiDefinition("21");
    expect(serial && [lengthMin(serial), lengthMax(serial), serial.dataAttribute]).toEqual([
      1,
      20,
      false,
    ]);
    const lot = aiDefinition("10");
    expect(lot && [lengthMin(lot), lengthMax(lot), lot.dataAttribute]).toEqual([1, 20, true]);
    const expiry = aiDefinition("17");
    expect(expiry?.components).toEqual([
      { charset: "N", lengthMin: 6, lengthMax: 6, optional: false, linters: ["yymmd0"] },
    ]);
    const expiryTime = aiDefinition("7003");
    expect(expiryTime && lengthMax(expiryTime)).toBe(10);
    expect(aiDefinition("99")?.components[0]?.lengthMax).toBe(90);
  });

  it("knows no AI outside it, 89 and 999 among them (NOTES 3.3)", () => {
    expect(aiDefinition("89")).toBeUndefined();
    expect(aiDefinition("999")).toBeUndefined();
    expect(aiDefinition("1")).toBeUndefined();
  });

  it("only the last component of an AI has a variable length", () => {
    for (const ai of [
      "00",
      "01",
      "10",
      "17",
      "21",
      "22",
      "235",
      "3103",
      "3922",
      "414",
      "7003",
      "8004",
      "91",
    ]) {
      const components = aiDefinition(ai)?.components ?? [];
      expect(components.length, ai).toBeGreaterThan(0);
      for (const part of components.slice(0, -1)) expect(part.lengthMin, ai).toBe(part.lengthMax);
    }
  });

  it("the primary keys are 00, 01, 253, 255, 401, 402, 414, 417, 8004, 8017, 8018", () => {
    for (const ai of ["00", "01", "253", "255", "401", "402", "414", "417", "8004", "8017", "8018"])
      expect(isPrimaryKey(ai), ai).toBe(true);
    for (const ai of ["10", "21", "22", "235", "254", "17"])
      expect(isPrimaryKey(ai), ai).toBe(false);
  });

  it("a key-qualifier sequence is an ordered choice from one alternative (dlpkey=22,10,21|235)", () => {
    expect(isKeyQualifierSequence(["01"])).toBe(true);
    expect(isKeyQualifierSequence(["01", "22", "10", "21"])).toBe(true);
    expect(isKeyQualifierSequence(["01", "22", "21"])).toBe(true);
    expect(isKeyQualifierSequence(["01", "235"])).toBe(true);
    expect(isKeyQualifierSequence(["01", "21", "10"])).toBe(false);
    expect(isKeyQualifierSequence(["01", "10", "235"])).toBe(false);
    expect(isKeyQualifierSequence(["01", "10", "10"])).toBe(false);
    expect(isKeyQualifierSequence(["00", "10"])).toBe(false);
    expect(isKeyQualifierSequence(["10"])).toBe(false);
    expect(isKeyQualifierSequence([])).toBe(false);
  });

  it("matches the dictionary's patterns, n standing for any digit", () => {
    expect(aiMatches("31nn", "3103")).toBe(true);
    expect(aiMatches("310n", "3103")).toBe(true);
    expect(aiMatches("310n", "3113")).toBe(false);
    expect(aiMatches("31nn", "310")).toBe(false);
    expect(aiMatches("01", "01")).toBe(true);
    expect(aiMatches("01", "02")).toBe(false);
  });
});
