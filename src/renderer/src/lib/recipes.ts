// The lab's recipes in the views: their names and changes in the user's language.
import type { Recipe } from '../../../shared/recipes';
import { tOr } from '../i18n/index.svelte';

/** a recipe's name in the user's language (a recipe the dictionaries lack keeps its own) */
export function recipeTitle(recipe: Recipe): string {
  return tOr(`recipe.${recipe.id}`, recipe.title);
}

/** what a recipe changes from its seed preset, in the user's language */
export function recipeChanges(recipe: Recipe): string {
  return tOr(`recipe.${recipe.id}.changes`, recipe.changes);
}
